namespace LlamaGen.Models;

/// <summary>
/// A GGUF file does not fit a compiled model (a missing tensor, a shape or type that differs from the spec, or no
/// compiled spec matching the file at all). The message names the file, the tensor or field, and what to do.
/// </summary>
public sealed class ModelMismatchException(string filePath, string? tensorName, string message) : Exception(message)
{
    public string FilePath { get; } = filePath;
    /// <summary>The tensor that does not fit, when the mismatch is about one tensor.</summary>
    public string? TensorName { get; } = tensorName;
}
