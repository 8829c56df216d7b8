using LlamaGen.Gguf;

namespace LlamaGen.Models;

/// <summary>
/// A model compiled into an assembly by the generator: its shape, the spec it came from, and how to load it
/// from a GGUF file. The generated registry lists one per <see cref="LlamaModelAttribute"/>.
/// </summary>
public sealed record ModelDescriptor(string TypeName, string SpecPath, ModelShape Shape, Func<GgufFile, ModelLoadOptions, ILlamaModel> Factory)
{
    /// <summary>
    /// Loads the model from <paramref name="file"/> (which must stay open while the model is used) as
    /// <paramref name="options"/> say (default: the CPU's best kernels, an F32 KV cache for its sequences).
    /// </summary>
    public ILlamaModel Load(GgufFile file, ModelLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(file);
        return Factory(file, options ?? ModelLoadOptions.Default);
    }
}
