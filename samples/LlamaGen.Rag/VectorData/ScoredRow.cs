namespace LlamaGen.Rag.VectorData;

/// <summary>A passage row (its SQLite rowid) and its similarity to a query.</summary>
internal readonly record struct ScoredRow(long RowId, double Score);
