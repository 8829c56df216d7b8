namespace LlamaGen.Rag.VectorData;

/// <summary>When and how the SQLite store uses its HNSW index (USearch) instead of exact search.</summary>
/// <param name="Threshold">Passages from which the HNSW index is used. Below it exact search is fast enough and exact; the default comes from bench/RESULTS.md (section "RAG store").</param>
/// <param name="Connectivity">HNSW graph degree (M).</param>
/// <param name="ExpansionAdd">Candidate list size while building (efConstruction).</param>
/// <param name="ExpansionSearch">Candidate list size while searching (ef): higher is closer to exact and slower.</param>
public sealed record ApproximateSearchOptions(int Threshold = ApproximateSearchOptions.DefaultThreshold, int Connectivity = 16, int ExpansionAdd = 128, int ExpansionSearch = 200)
{
    /// <summary>Measured: see bench/RESULTS.md, "RAG store: exact vs HNSW".</summary>
    public const int DefaultThreshold = 20_000;

    /// <summary>Never use the approximate index (exact search at every size).</summary>
    public static readonly ApproximateSearchOptions ExactOnly = new(Threshold: int.MaxValue);
}
