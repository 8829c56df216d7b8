namespace LlamaGen.Rag.Ingestion;

/// <summary>Reports nothing (library use, tests).</summary>
public sealed class SilentIngestProgress : IIngestProgress
{
    public static readonly SilentIngestProgress Instance = new();

    public void Start(int totalPassages) { }
    public void Advance(int passages) { }
    public void Finish() { }
}
