using LlamaGen.Compute;
using LlamaGen.Kernels;

namespace LlamaGen.Models;

/// <summary>
/// How a generated model is loaded: <c>Model.Load(file, options)</c> or <see cref="ModelDescriptor.Load"/>. The defaults
/// are what <c>Load(file)</c> does.
/// </summary>
public sealed record ModelLoadOptions
{
    /// <summary>The defaults: the CPU's best kernels, an F32 KV cache for the model's sequences, no weight cache.</summary>
    public static ModelLoadOptions Default { get; } = new();

    /// <summary>How the model's sequences store keys and values unless they say otherwise; <see cref="KvCacheType.F32"/> unless set.</summary>
    public KvCacheType KvCacheType { get; init; } = KvCacheType.F32;

    /// <summary>
    /// The instruction set of the model's kernels; null picks <see cref="KernelSupport.Best"/>. Loading with an ISA the CPU
    /// cannot run throws <see cref="PlatformNotSupportedException"/>. Each model keeps its own: two models loaded with
    /// different ISAs run side by side.
    /// </summary>
    public KernelIsa? Isa { get; init; }

    /// <summary>
    /// Whether and where the repacked quantized matrices are cached between loads; <see cref="WeightCacheMode.Disabled"/>
    /// unless set, so a library load never writes beside a file it was given. The CLI turns it on (<c>--no-cache</c> off).
    /// </summary>
    public WeightCacheMode WeightCache { get; init; } = WeightCacheMode.Disabled;

    /// <summary>
    /// The cache folder (<see cref="WeightCacheMode.Folder"/>, and the fallback of <see cref="WeightCacheMode.BesideModel"/>);
    /// null: <c>$LLAMAGEN_CACHE_DIR</c>, else <c>$XDG_CACHE_HOME/llamagen</c>, else <c>~/.cache/llamagen</c>.
    /// </summary>
    public string? WeightCacheFolder { get; init; }

    /// <summary>
    /// Told after the weights are bound what the cache did (<see cref="WeightCacheReport"/>). Null: warnings go to
    /// <see cref="System.Diagnostics.Trace.TraceWarning(string)"/>.
    /// </summary>
    public Action<WeightCacheReport>? WeightCacheObserver { get; init; }
}
