namespace LlamaGen.Cli;

/// <summary>A user error (bad option value, missing file, model mismatch): printed as one <c>error:</c> line, exit code 1.</summary>
internal sealed class CliException(string message) : Exception(message);
