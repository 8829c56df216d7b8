using LlamaGen.Gguf;
using LlamaGen.Compute;
using LlamaGen.Threading;

namespace LlamaGen.Models;

/// <summary>
/// A model compiled into an assembly by the generator: its shape, the spec it came from, and how to load it
/// from a GGUF file. The generated registry lists one per <see cref="LlamaModelAttribute"/>.
/// </summary>
public sealed record ModelDescriptor(string TypeName, string SpecPath, ModelShape Shape, Func<GgufFile, WorkerPool?, ILlamaModel> Factory)
{
    /// <summary>
    /// Loads the model from <paramref name="file"/> (which must stay open while the model is used). With a
    /// <paramref name="pool"/>, the large matrix products are split over its threads; the caller owns and disposes it.
    /// </summary>
    public ILlamaModel Load(GgufFile file, WorkerPool? pool = null) => Factory(file, pool);

    /// <summary>
    /// The generated <c>Load(file, options)</c>; set by the generated registry. Null for a descriptor built without it,
    /// which then loads only with the default <see cref="ModelLoadOptions.KvCacheType"/>.
    /// </summary>
    public Func<GgufFile, ModelLoadOptions, ILlamaModel>? OptionsFactory { get; init; }

    /// <summary>
    /// Loads the model from <paramref name="file"/> (which must stay open while the model is used) as
    /// <paramref name="options"/> say: the worker pool (owned and disposed by the caller) and the KV cache type.
    /// </summary>
    public ILlamaModel Load(GgufFile file, ModelLoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (OptionsFactory is not null) return OptionsFactory(file, options);
        if (options.KvCacheType != KvCacheType.F32)
            throw new NotSupportedException(
                $"The descriptor of {TypeName} has no OptionsFactory, so it loads only with an F32 KV cache (asked: {options.KvCacheType}).");
        return Factory(file, options.Pool);
    }
}
