namespace LlamaGen.Rag.Retrieval;

/// <summary>How much each ranking counts in hybrid fusion (weighted reciprocal rank: w / (k + rank)). Equal weights are plain RRF.</summary>
public sealed record FusionWeights(double Vector, double Keyword)
{
    public static readonly FusionWeights Equal = new(1, 1);

    public override string ToString() => $"vector {Vector:F2}, keyword {Keyword:F2}";
}
