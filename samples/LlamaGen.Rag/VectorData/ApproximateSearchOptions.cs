namespace LlamaGen.Rag.VectorData;

/// <summary>When and how the SQLite store uses its HNSW index (USearch) instead of exact search.</summary>
/// <param name="Threshold">Passages from which the HNSW index is used; null: <see cref="DefaultThresholdFor"/> the store's vector size.</param>
/// <param name="Connectivity">HNSW graph degree (M).</param>
/// <param name="ExpansionAdd">Candidate list size while building (efConstruction).</param>
/// <param name="ExpansionSearch">Candidate list size while searching (ef): higher is closer to exact and slower. 200 keeps recall@10 at or above 95 % on uniform random 256-dimensional vectors, the hardest case the tests try (96 gave 88.5 %).</param>
public sealed record ApproximateSearchOptions(int? Threshold = null, int Connectivity = 16, int ExpansionAdd = 128, int ExpansionSearch = 200)
{
    /// <summary>
    /// Exact search costs what loading and scanning the vectors costs, proportional to passages x dimensions. Up to
    /// this many floats (5 MiB of vectors: 20,000 passages of 64 dimensions, 1,250 of 1,024) a cold exact search, what
    /// one <c>ask</c> pays, stays in the tens of milliseconds, next to which the model's work dominates; past it the
    /// HNSW index answers several times faster (bench/RESULTS.md, section "RAG store").
    /// </summary>
    public const long ExactSearchFloatBudget = 1_280_000;

    /// <summary>Never use the approximate index (exact search at every size).</summary>
    public static readonly ApproximateSearchOptions ExactOnly = new(Threshold: int.MaxValue);

    /// <summary>The passages from which HNSW is used for vectors of <paramref name="dimensions"/>: the float budget, but never below 1,000 passages (an index build costs seconds; exact search over fewer is instant at any size).</summary>
    public static int DefaultThresholdFor(int dimensions) => (int)Math.Clamp(ExactSearchFloatBudget / Math.Max(dimensions, 1), 1_000, 1_000_000);

    public int ThresholdFor(int dimensions) => Threshold ?? DefaultThresholdFor(dimensions);
}
