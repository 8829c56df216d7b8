namespace LlamaGen.Rag.Retrieval;

/// <summary>
/// Convex combination of semantic and lexical scores with theoretical min-max normalization ("TM2C2" in Bruch, Gai and
/// Ingber, "An Analysis of Fusion Functions for Hybrid Retrieval", 2022): a score s becomes (s - m) / (M - m), m being
/// the least score the function can give (cosine -1, BM25 0) and M the best among the candidates, and an item scores
/// w · semantic + (1 - w) · lexical.
/// </summary>
/// <remarks>
/// Unlike reciprocal rank fusion, which hands rank r the same 1 / (60 + r) whatever the scores behind it, this keeps how
/// far apart the candidates are. Cosines from a model whose embeddings mean little for the corpus crowd into a narrow
/// band (0.97 to 0.99, say): normalized from -1 they differ by about 1 %, so they shift BM25's order only between
/// passages BM25 itself nearly tied, while a model that separates its answers contributes fully. The theoretical
/// minimum, rather than the worst candidate's score, is what keeps that band narrow: plain min-max would stretch any
/// spread, however meaningless, to [0, 1].
/// </remarks>
public static class ConvexScoreFusion
{
    /// <summary>Equal trust in both retrievers: neither is preferred before anything is known about the model.</summary>
    public const double DefaultSemanticWeight = 0.5;

    /// <summary>The least cosine similarity.</summary>
    public const double SemanticMinimum = -1;

    /// <summary>The least BM25 score (a passage with none of the query's words).</summary>
    public const double LexicalMinimum = 0;

    /// <summary>
    /// The union of both candidate lists by fused score, best first; ties keep the order of first appearance, lexical
    /// candidates first (so equal semantic scores leave BM25's order as it was).
    /// </summary>
    /// <param name="semantic">Cosine similarities. A candidate missing here counts as <see cref="SemanticMinimum"/>:
    /// callers that can should score every candidate (the SQLite store does).</param>
    /// <param name="lexical">BM25 scores, higher is better. A candidate missing here counts as <see cref="LexicalMinimum"/>.</param>
    /// <param name="semanticWeight">w in [0, 1]: 1 is vectors only, 0 BM25 only.</param>
    public static IReadOnlyList<(TKey Key, double Score)> Fuse<TKey>(IReadOnlyList<(TKey Key, double Score)> semantic,
        IReadOnlyList<(TKey Key, double Score)> lexical, double semanticWeight = DefaultSemanticWeight)
        where TKey : notnull
    {
        if (!(semanticWeight is >= 0 and <= 1))
            throw new ArgumentOutOfRangeException(nameof(semanticWeight), semanticWeight, "the semantic weight must be between 0 and 1");
        var semanticScale = Normalizer(semantic, SemanticMinimum);
        var lexicalScale = Normalizer(lexical, LexicalMinimum);
        var scores = new Dictionary<TKey, double>();
        var firstSeen = new Dictionary<TKey, int>();
        foreach (var (key, score) in lexical)
        {
            if (scores.ContainsKey(key)) continue; // a duplicate keeps its first (best) score
            scores[key] = (1 - semanticWeight) * lexicalScale(score);
            firstSeen[key] = firstSeen.Count;
        }
        var seenSemantic = new HashSet<TKey>();
        foreach (var (key, score) in semantic)
        {
            if (!seenSemantic.Add(key)) continue;
            scores[key] = scores.GetValueOrDefault(key) + semanticWeight * semanticScale(score);
            firstSeen.TryAdd(key, firstSeen.Count);
        }
        return scores.OrderByDescending(pair => pair.Value).ThenBy(pair => firstSeen[pair.Key])
            .Select(pair => (pair.Key, pair.Value)).ToList();
    }

    // (s - minimum) / (best - minimum), clamped to [0, 1]. When nothing scores above the minimum (no candidates, every
    // candidate at the floor) the retriever separates nothing: 0 for all, never a division by zero. NaN counts as the floor.
    private static Func<double, double> Normalizer<TKey>(IReadOnlyList<(TKey Key, double Score)> scored, double minimum)
    {
        double best = minimum;
        foreach (var (_, score) in scored)
            if (score > best) best = score;
        double range = best - minimum;
        if (!(range > 0) || !double.IsFinite(range)) return _ => 0;
        return score => double.IsNaN(score) ? 0 : Math.Clamp((score - minimum) / range, 0, 1);
    }
}
