namespace LlamaGen.Rag.Retrieval;

/// <summary>How passages are ranked for a question.</summary>
public enum RetrievalMode
{
    /// <summary>BM25 and vector rankings fused (the default; how: <see cref="HybridFusion"/>).</summary>
    Hybrid,

    /// <summary>Cosine similarity of the question's embedding only.</summary>
    Vector,

    /// <summary>BM25 over the passages' words only (no embedding of the question).</summary>
    Keyword,
}
