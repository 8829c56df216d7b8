namespace LlamaGen.Rag.Retrieval;

/// <summary>How the SQLite store's hybrid search fuses its BM25 and vector rankings (<c>ask --fusion</c>, <c>--semantic-weight</c>).</summary>
/// <param name="SemanticWeight">
/// For <see cref="HybridFusion.Convex"/>: the vectors' share before the ingest calibration scales it (see
/// <see cref="EffectiveSemanticWeight"/>). 0.5 trusts neither retriever more before anything is known; raise it for an
/// embedding model known to be good whose cosines sit in a narrow band (many modern ones do), which the theoretical
/// normalization otherwise reads as little evidence.
/// </param>
public sealed record HybridFusionOptions(HybridFusion Fusion = HybridFusion.Convex, double SemanticWeight = ConvexScoreFusion.DefaultSemanticWeight)
{
    public static readonly HybridFusionOptions Default = new();

    public void Validate()
    {
        if (!(SemanticWeight is >= 0 and <= 1))
            throw new ArgumentOutOfRangeException(nameof(SemanticWeight), SemanticWeight, "--semantic-weight must be between 0 and 1");
    }

    /// <summary>
    /// <see cref="SemanticWeight"/> scaled by the store's calibration: w·v / (w·v + (1 - w)·k). Equal calibration weights
    /// (vectors that find passages as well as BM25 does) leave it as it is. The normalization cannot tell vectors that
    /// are spread out but meaningless (a random low-dimensional model's) from good ones; the calibration can.
    /// </summary>
    public double EffectiveSemanticWeight(FusionWeights calibration)
    {
        double semantic = SemanticWeight * calibration.Vector, lexical = (1 - SemanticWeight) * calibration.Keyword;
        return semantic + lexical > 0 ? semantic / (semantic + lexical) : SemanticWeight;
    }
}
