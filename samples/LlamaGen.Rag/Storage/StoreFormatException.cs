namespace LlamaGen.Rag.Storage;

/// <summary>The store file is not a LlamaGen RAG store (not SQLite, another application's database, a newer schema). Nothing was changed.</summary>
public sealed class StoreFormatException(string message) : Exception(message);
