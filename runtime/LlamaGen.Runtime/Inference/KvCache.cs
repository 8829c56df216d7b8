using System.Runtime.InteropServices;

namespace LlamaGen.Inference;

/// <summary>
/// The key and value caches of one sequence, F32, laid out [layer][position][kvDimension] in native memory
/// (large caches stay out of the GC heap; pages are committed only as positions are written).
/// </summary>
public sealed unsafe class KvCache : IDisposable
{
    private float* keys;
    private float* values;

    public KvCache(int blockCount, int contextLength, int kvDimension)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(blockCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(contextLength);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(kvDimension);
        BlockCount = blockCount;
        ContextLength = contextLength;
        KvDimension = kvDimension;
        long count = checked((long)blockCount * contextLength * kvDimension);
        nuint bytes = checked((nuint)count * sizeof(float));
        keys = (float*)NativeMemory.AlignedAlloc(bytes, 64);
        values = (float*)NativeMemory.AlignedAlloc(bytes, 64);
    }

    public int BlockCount { get; }
    public int ContextLength { get; }
    public int KvDimension { get; }

    /// <summary>The key row of <paramref name="layer"/> at <paramref name="position"/>; rows of later positions follow it.</summary>
    public float* Keys(int layer, int position) => Row(keys, layer, position);

    /// <summary>The value row of <paramref name="layer"/> at <paramref name="position"/>; rows of later positions follow it.</summary>
    public float* Values(int layer, int position) => Row(values, layer, position);

    private float* Row(float* cache, int layer, int position)
    {
        if (cache == null) throw new ObjectDisposedException(nameof(KvCache));
        if ((uint)layer >= (uint)BlockCount) throw new ArgumentOutOfRangeException(nameof(layer), layer, $"The cache has {BlockCount} layers.");
        if ((uint)position >= (uint)ContextLength) throw new ArgumentOutOfRangeException(nameof(position), position, $"The cache holds {ContextLength} positions.");
        return cache + ((long)layer * ContextLength + position) * KvDimension;
    }

    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    ~KvCache() => Free();

    private void Free()
    {
        NativeMemory.AlignedFree(keys);
        NativeMemory.AlignedFree(values);
        keys = null;
        values = null;
    }
}
