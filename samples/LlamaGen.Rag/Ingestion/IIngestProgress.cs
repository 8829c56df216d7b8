namespace LlamaGen.Rag.Ingestion;

/// <summary>Receives the embedding progress of an ingest (a progress bar, log lines, nothing).</summary>
public interface IIngestProgress
{
    /// <summary>The number of passages to embed, once the files have been read and cut.</summary>
    void Start(int totalPassages);

    /// <summary><paramref name="passages"/> more are embedded and committed.</summary>
    void Advance(int passages);

    void Finish();
}
