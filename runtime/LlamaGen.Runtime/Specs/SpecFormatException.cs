namespace LlamaGen.Specs;

/// <summary>
/// A model spec JSON is malformed or describes an impossible model; the message names the file and the line.
/// </summary>
public sealed class SpecFormatException(string path, int line, string problem)
    : Exception($"{path}({line}): {problem}")
{
    public string FilePath { get; } = path;

    /// <summary>1-based line of the offending JSON (the key or value; the opening brace for a missing key).</summary>
    public int Line { get; } = line;

    /// <summary>What is wrong, without the file/line prefix.</summary>
    public string Problem { get; } = problem;
}
