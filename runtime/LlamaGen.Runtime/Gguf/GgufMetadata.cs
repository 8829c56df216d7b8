namespace LlamaGen.Gguf;

/// <summary>One key/value pair of a GGUF file's metadata.</summary>
public sealed record GgufMetadata(string Key, GgufValue Value);
