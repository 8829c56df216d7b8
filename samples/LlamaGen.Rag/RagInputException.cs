namespace LlamaGen.Rag;

/// <summary>Bad input to a workflow (no documents to ingest, an empty question): reported as one <c>error:</c> line; nothing was changed.</summary>
public sealed class RagInputException(string message) : Exception(message);
