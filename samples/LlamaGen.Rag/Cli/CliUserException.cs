namespace LlamaGen.Rag.Cli;

/// <summary>A bad option value: printed as one <c>error:</c> line, exit code 1.</summary>
internal sealed class CliUserException(string message) : Exception(message);
