namespace LlamaGen.Rag.Ingestion;

/// <summary>What an ingest did.</summary>
/// <param name="Unchanged">Files whose content hash matched a complete ledger entry: not read again.</param>
/// <param name="Added">Files new to the store.</param>
/// <param name="Replaced">Files whose content changed: their old passages are gone.</param>
/// <param name="Resumed">Files an interrupted ingest had started: only their missing passages were embedded.</param>
/// <param name="Deleted">Ledger files no longer on disk: their passages are gone.</param>
/// <param name="Skipped">Files that could not be read (warned about, their previous passages kept).</param>
/// <param name="PassagesEmbedded">Passages embedded and committed by this run.</param>
/// <param name="EmbeddingTime">Time spent in the embedding generator.</param>
/// <param name="Calibration">The hybrid fusion weights measured after this run's changes; null when nothing changed or the store cannot measure them.</param>
public sealed record IngestReport(int Unchanged, int Added, int Replaced, int Resumed, int Deleted, IReadOnlyList<string> Skipped,
    int PassagesEmbedded, long StoredPassages, TimeSpan Elapsed, TimeSpan EmbeddingTime, Retrieval.FusionCalibration? Calibration = null)
{
    public double PassagesPerSecond => Elapsed.TotalSeconds > 0 ? PassagesEmbedded / Elapsed.TotalSeconds : 0;
}
