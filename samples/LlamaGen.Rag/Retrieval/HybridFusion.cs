namespace LlamaGen.Rag.Retrieval;

/// <summary>How hybrid retrieval combines the vector ranking and the BM25 ranking (<c>ask --fusion</c>).</summary>
public enum HybridFusion
{
    /// <summary>
    /// A convex combination of the normalized scores (<see cref="ConvexScoreFusion"/>): a retriever counts by how much
    /// its scores tell the candidates apart, so a model whose cosines barely differ cannot reorder BM25's answers.
    /// </summary>
    Convex,

    /// <summary>Reciprocal rank fusion weighted by the ingest calibration (<see cref="ReciprocalRankFusion"/>): ranks only, scores ignored.</summary>
    Rrf,
}
