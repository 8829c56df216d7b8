namespace LlamaGen.Gguf;

/// <summary>A GGUF file is malformed; the message names the file, the field and the byte offset.</summary>
public sealed class GgufFormatException(string path, string field, long offset, string problem)
    : Exception($"{path}: {field} at byte offset {offset}: {problem}")
{
    public string FilePath { get; } = path;
    public string Field { get; } = field;
    public long ByteOffset { get; } = offset;
    /// <summary>What is wrong, without the file/field/offset prefix.</summary>
    public string Problem { get; } = problem;
}
