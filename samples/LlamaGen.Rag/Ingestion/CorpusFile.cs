namespace LlamaGen.Rag.Ingestion;

/// <summary>A document found by <see cref="CorpusScanner"/>.</summary>
/// <param name="Key">Path relative to the store's folder, '/' separators: the file's name in the ledger and in citations.</param>
/// <param name="FullPath">Where to read it.</param>
public sealed record CorpusFile(string Key, string FullPath);
