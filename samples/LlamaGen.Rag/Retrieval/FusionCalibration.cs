namespace LlamaGen.Rag.Retrieval;

/// <summary>The outcome of <see cref="FusionCalibrator"/>: the weights, and the evidence for them.</summary>
/// <param name="Probes">Sentences taken from sampled passages and searched for.</param>
/// <param name="VectorHits">Probes whose own passage the vector search put in its top 5.</param>
/// <param name="KeywordHits">The same for BM25.</param>
public sealed record FusionCalibration(FusionWeights Weights, int Probes, int VectorHits, int KeywordHits)
{
    public override string ToString() =>
        $"fusion weights {Weights} (a sentence of {Probes} sampled passages found its passage in the top 5: vectors {VectorHits}, BM25 {KeywordHits})";
}
