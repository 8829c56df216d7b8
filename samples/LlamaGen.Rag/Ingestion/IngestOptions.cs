namespace LlamaGen.Rag.Ingestion;

/// <summary>How an ingest batches its work.</summary>
/// <param name="BatchSize">Passages per embedding call and per transaction: the adapter embeds them as parallel sequences, and a kill loses at most one batch.</param>
public sealed record IngestOptions(int BatchSize = 16)
{
    public void Validate()
    {
        if (BatchSize is < 1 or > 4096)
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "batch size must be between 1 and 4096 passages");
    }
}
