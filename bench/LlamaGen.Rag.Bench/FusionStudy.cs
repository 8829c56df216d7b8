using LlamaGen.Rag.Evaluation;
using LlamaGen.Rag.Retrieval;
using LlamaGen.Rag.Storage;
using LlamaGen.Rag.VectorData;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData;

namespace LlamaGen.Rag.Bench;

/// <summary>
/// Fusion functions side by side on the bundled questions, from the same two rankings (every passage's cosine, BM25 as
/// deep as it matches): RRF with several k and weights, and convex fusion with several semantic weights, candidates as
/// deep as the store's hybrid search takes them. Also how spread out the cosines are, which decides how much a convex
/// fusion lets the vectors move.
/// </summary>
public static class FusionStudy
{
    private const int Depth = 50, Top = 5, MrrDepth = 10;

    private sealed record Case(EvaluationQuestion Question, List<(Guid Key, double Score)> Vector, List<(Guid Key, double Score)> Keyword,
        Dictionary<Guid, PassageRecord> Records);

    public static async Task RunAsync(RagStore store, VectorStoreCollection<Guid, PassageRecord> passages,
        IEmbeddingGenerator<string, Embedding<float>> embeddings, IReadOnlyList<EvaluationQuestion> questions)
    {
        var keywordSearch = (IPassageKeywordSearch)passages.GetService(typeof(IPassageKeywordSearch))!;
        int count = await passages.GetAsync(r => r.Position >= 0, 100_000).CountAsync();
        var cases = new List<Case>();
        foreach (var question in questions)
        {
            var vector = await embeddings.GenerateVectorAsync(question.Question);
            var byVector = await passages.SearchAsync(vector, count).ToListAsync();
            var byKeyword = await keywordSearch.KeywordSearchAsync(KeywordExtractor.Keywords(question.Question), count).ToListAsync();
            cases.Add(new Case(question, byVector.Select(r => (r.Record.Id, r.Score ?? 0)).ToList(),
                byKeyword.Select(r => (r.Record.Id, r.Score ?? 0)).ToList(), byVector.ToDictionary(r => r.Record.Id, r => r.Record)));
        }

        var weights = store.FusionWeights;
        var variants = new List<(string Name, Func<Case, IReadOnlyList<Guid>> Rank)>
        {
            ("vectors only", c => c.Vector.Select(p => p.Key).ToList()),
            ("BM25 only", c => c.Keyword.Select(p => p.Key).ToList()),
            ("RRF k=60, equal weights", c => Rrf(c, 60, 1, 1)),
            ($"RRF k=60, calibrated weights ({weights})", c => Rrf(c, 60, weights.Vector, weights.Keyword)),
            ("RRF k=10, equal weights", c => Rrf(c, 10, 1, 1)),
            ("RRF k=200, equal weights", c => Rrf(c, 200, 1, 1)),
            ("RRF k=60, vector weight 0.5", c => Rrf(c, 60, 0.5, 1)),
            // Each ranking weighted by how far apart its own top scores are, per question (the normalized spread below).
            ("RRF k=60, weighted per question by score spread", c => Rrf(c, 60, Spread(c.Vector, -1), Spread(c.Keyword, 0))),
            ("convex, plain min-max (observed minimum), semantic weight 0.5", c => MinMaxConvex(c, 0.5)),
        };
        foreach (double alpha in (double[])[0.2, 0.3, 0.5, 0.7, 0.8])
            variants.Add(($"convex (TM2C2), semantic weight {alpha:F1}", c => Convex(c, alpha)));
        double calibrated = 0.5 * weights.Vector / (0.5 * weights.Vector + 0.5 * weights.Keyword);
        variants.Add(($"convex (TM2C2), semantic weight 0.5 x calibration = {calibrated:F2}", c => Convex(c, calibrated)));

        Console.WriteLine($"\nFusion study ({cases.Count} questions, {count} passages; candidates {Depth} deep from each ranking):\n");
        Console.WriteLine("| fusion | recall@5 | MRR@10 |");
        Console.WriteLine("| --- | ---: | ---: |");
        foreach (var (name, rank) in variants)
        {
            int hits = 0;
            double reciprocal = 0;
            foreach (var c in cases)
            {
                var ranked = rank(c);
                int r = 1 + ranked.Take(MrrDepth).ToList().FindIndex(key => c.Question.IsAnsweredBy(c.Records[key].File, c.Records[key].Text));
                if (r is >= 1 and <= Top) hits++;
                if (r >= 1) reciprocal += 1.0 / r;
            }
            Console.WriteLine($"| {name} | {(double)hits / cases.Count:P1} | {reciprocal / cases.Count:F3} |");
        }

        // The semantic spread a convex fusion sees: (best - 50th) / (best + 1), against BM25's (best - 50th) / best.
        var semanticSpread = cases.Select(c => Spread(c.Vector, -1)).Order().ToList();
        var lexicalSpread = cases.Where(c => c.Keyword.Count > 0).Select(c => Spread(c.Keyword, 0)).Order().ToList();
        var bestCosine = cases.Select(c => c.Vector[0].Score).Order().ToList();
        Console.WriteLine($"\nMedian over the questions: best cosine {bestCosine[bestCosine.Count / 2]:F3}; normalized spread of the top {Depth}: " +
            $"cosine {semanticSpread[semanticSpread.Count / 2]:F3} (10th-90th percentile {semanticSpread[semanticSpread.Count / 10]:F3}-{semanticSpread[semanticSpread.Count * 9 / 10]:F3}), " +
            $"BM25 {lexicalSpread[lexicalSpread.Count / 2]:F3}.");
    }

    private static IReadOnlyList<Guid> Rrf(Case c, int k, double vectorWeight, double keywordWeight) =>
        ReciprocalRankFusion.Fuse([((IReadOnlyList<Guid>)c.Vector.Take(Depth).Select(p => p.Key).ToList(), vectorWeight),
            (c.Keyword.Take(Depth).Select(p => p.Key).ToList(), keywordWeight)], k).Select(p => p.Key).ToList();

    // As the store does it: the union of both top-50 lists, every candidate's cosine exact, BM25 0 past its list.
    private static IReadOnlyList<Guid> Convex(Case c, double semanticWeight)
    {
        var lexical = c.Keyword.Take(Depth).ToList();
        var candidates = c.Vector.Take(Depth).Select(p => p.Key).Concat(lexical.Select(p => p.Key)).ToHashSet();
        var semantic = c.Vector.Where(p => candidates.Contains(p.Key)).ToList();
        return ConvexScoreFusion.Fuse(semantic, lexical, semanticWeight).Select(p => p.Key).ToList();
    }

    // What the theoretical minimum avoids: the worst candidate's score as the floor stretches any spread to [0, 1].
    private static IReadOnlyList<Guid> MinMaxConvex(Case c, double semanticWeight)
    {
        var lexical = c.Keyword.Take(Depth).ToList();
        var candidates = c.Vector.Take(Depth).Select(p => p.Key).Concat(lexical.Select(p => p.Key)).ToHashSet();
        var semantic = c.Vector.Where(p => candidates.Contains(p.Key)).ToList();
        static Dictionary<Guid, double> Scale(List<(Guid Key, double Score)> list)
        {
            if (list.Count == 0) return [];
            double min = list.Min(p => p.Score), max = list.Max(p => p.Score);
            return list.ToDictionary(p => p.Key, p => max > min ? (p.Score - min) / (max - min) : 0);
        }
        var s = Scale(semantic);
        var l = Scale(lexical);
        return candidates.OrderByDescending(k => semanticWeight * s.GetValueOrDefault(k) + (1 - semanticWeight) * l.GetValueOrDefault(k)).ToList();
    }

    private static double Spread(List<(Guid Key, double Score)> ranked, double minimum)
    {
        if (ranked.Count == 0) return 0;
        double best = ranked[0].Score, deep = ranked[Math.Min(Depth, ranked.Count) - 1].Score;
        return best - minimum > 0 ? (best - deep) / (best - minimum) : 0;
    }
}
