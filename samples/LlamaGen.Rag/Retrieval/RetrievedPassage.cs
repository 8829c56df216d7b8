using LlamaGen.Rag.VectorData;

namespace LlamaGen.Rag.Retrieval;

/// <summary>A passage chosen for a question, with the score of the ranking that chose it (cosine, BM25, or the fused score: convex in [0, 1], or reciprocal rank).</summary>
public sealed record RetrievedPassage(PassageRecord Passage, double Score);
