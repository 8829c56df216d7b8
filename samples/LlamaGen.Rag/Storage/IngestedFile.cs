namespace LlamaGen.Rag.Storage;

/// <summary>The ingest ledger's row for one file.</summary>
/// <param name="Key">Path relative to the store's folder, with '/' separators (so a store and its corpus can move together).</param>
/// <param name="ContentHash">SHA-256 of the file's bytes, lower-case hex.</param>
/// <param name="PassageCount">Passages this content was cut into (all of them once <paramref name="State"/> is complete).</param>
public sealed record IngestedFile(string Key, string ContentHash, string Title, int PassageCount, IngestedFileState State);
