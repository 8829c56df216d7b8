namespace LlamaGen.SideBySide;

/// <summary>An expected failure (a missing build, a failed or timed-out run): one <c>error:</c> line, exit code 1.</summary>
internal sealed class SideBySideException(string message) : Exception(message);
