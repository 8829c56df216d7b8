using LlamaGen.Compute;
using LlamaGen.Kernels;
using LlamaGen.Threading;

namespace LlamaGen.Models;

/// <summary>
/// How a generated model is loaded: <c>Model.Load(file, options)</c> or <see cref="ModelDescriptor.Load(Gguf.GgufFile, ModelLoadOptions)"/>.
/// The defaults are what <c>Load(file)</c> does.
/// </summary>
public sealed record ModelLoadOptions
{
    /// <summary>The defaults: no pool (everything on the calling thread), an F32 KV cache, the CPU's best kernels.</summary>
    public static ModelLoadOptions Default { get; } = new();

    /// <summary>
    /// Splits the large products by rows over this pool's threads; <c>null</c> computes on the calling thread. The caller
    /// owns the pool (it may serve several models, one call at a time) and disposes it after the model.
    /// </summary>
    public WorkerPool? Pool { get; init; }

    /// <summary>How the KV cache stores keys and values; <see cref="KvCacheType.F32"/> unless set.</summary>
    public KvCacheType KvCacheType { get; init; } = KvCacheType.F32;

    /// <summary>
    /// The instruction set of the model's kernels; null picks <see cref="KernelSupport.Best"/>. Loading with an ISA the CPU
    /// cannot run throws <see cref="PlatformNotSupportedException"/>. Each model keeps its own: two models loaded with
    /// different ISAs run side by side.
    /// </summary>
    public KernelIsa? Isa { get; init; }
}
