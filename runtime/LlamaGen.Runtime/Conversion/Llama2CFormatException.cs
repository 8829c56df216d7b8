namespace LlamaGen.Conversion;

/// <summary>A llama2.c checkpoint or tokenizer file is malformed; the message names the file, the field and the byte offset.</summary>
public sealed class Llama2CFormatException(string path, string field, long offset, string problem)
    : Exception($"{path}: {field} at byte offset {offset}: {problem}")
{
    public string FilePath { get; } = path;
    public string Field { get; } = field;
    public long ByteOffset { get; } = offset;
}
