namespace LlamaGen.Rag.Retrieval;

/// <summary>
/// Reciprocal rank fusion (Cormack, Clarke and Büttcher, 2009): an item's score is the sum over rankings of
/// 1 / (k + rank), rank counted from 1. It needs no score calibration between BM25 and cosine, which live on
/// unrelated scales; k = 60 is the paper's value, and damps the influence of the very first ranks.
/// </summary>
public static class ReciprocalRankFusion
{
    public const int DefaultK = 60;

    /// <summary>The items of all <paramref name="rankings"/> (each best first) by fused score, best first; ties keep the order of first appearance.</summary>
    public static IReadOnlyList<(TKey Key, double Score)> Fuse<TKey>(IEnumerable<IReadOnlyList<TKey>> rankings, int k = DefaultK)
        where TKey : notnull => Fuse(rankings.Select(ranking => (ranking, 1.0)), k);

    /// <summary>Weighted fusion: a ranking of weight w adds w / (k + rank).</summary>
    public static IReadOnlyList<(TKey Key, double Score)> Fuse<TKey>(IEnumerable<(IReadOnlyList<TKey> Ranking, double Weight)> rankings, int k = DefaultK)
        where TKey : notnull
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        var scores = new Dictionary<TKey, double>();
        var firstSeen = new Dictionary<TKey, int>();
        foreach (var (ranking, weight) in rankings)
        {
            for (int rank = 0; rank < ranking.Count; rank++)
            {
                var key = ranking[rank];
                scores[key] = scores.GetValueOrDefault(key) + weight / (k + rank + 1);
                firstSeen.TryAdd(key, firstSeen.Count);
            }
        }
        return scores.OrderByDescending(pair => pair.Value).ThenBy(pair => firstSeen[pair.Key])
            .Select(pair => (pair.Key, pair.Value)).ToList();
    }
}
