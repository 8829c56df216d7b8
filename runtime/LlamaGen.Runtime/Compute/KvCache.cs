using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace LlamaGen.Compute;

/// <summary>
/// The key and value caches of one sequence, laid out [layer][position][kvDimension] in native memory (large caches
/// stay out of the GC heap; pages are committed only as positions are written), stored as F32 or, to halve the
/// memory, as F16 (<see cref="KvCacheType"/>). <see cref="Attention"/> reads them.
/// </summary>
public sealed unsafe class KvCache : IDisposable
{
    private byte* keys;
    private byte* values;
    // F16 only: one row widened back to F32, for attention (it reads each cached row once per token).
    private float* widenedRow;

    /// <summary>An F32 cache.</summary>
    public KvCache(int blockCount, int contextLength, int kvDimension) : this(blockCount, contextLength, kvDimension, KvCacheType.F32) { }

    public KvCache(int blockCount, int contextLength, int kvDimension, KvCacheType type)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(blockCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(contextLength);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(kvDimension);
        if (type is not (KvCacheType.F32 or KvCacheType.F16))
            throw new ArgumentOutOfRangeException(nameof(type), type, "The KV cache stores F32 or F16.");
        BlockCount = blockCount;
        ContextLength = contextLength;
        KvDimension = kvDimension;
        Type = type;
        ElementBytes = BytesPerElement(type);
        long count = checked((long)blockCount * contextLength * kvDimension);
        nuint bytes = checked((nuint)count * (nuint)ElementBytes);
        keys = (byte*)NativeMemory.AlignedAlloc(bytes, 64);
        values = (byte*)NativeMemory.AlignedAlloc(bytes, 64);
        if (type == KvCacheType.F16) widenedRow = (float*)NativeMemory.AlignedAlloc((nuint)kvDimension * sizeof(float), 64);
    }

    public int BlockCount { get; }
    public int ContextLength { get; }
    public int KvDimension { get; }
    public KvCacheType Type { get; }

    /// <summary>Bytes per stored element: 4 (F32) or 2 (F16).</summary>
    public int ElementBytes { get; }

    /// <summary>Bytes of the key and value caches together.</summary>
    public long SizeInBytes => SizeFor(BlockCount, ContextLength, KvDimension, Type);

    /// <summary>Bytes of the key and value caches together of a cache of this shape and type, without allocating one.</summary>
    public static long SizeFor(int blockCount, int contextLength, int kvDimension, KvCacheType type) =>
        checked(2L * blockCount * contextLength * kvDimension * BytesPerElement(type));

    private static int BytesPerElement(KvCacheType type) => type == KvCacheType.F16 ? sizeof(ushort) : sizeof(float);

    /// <summary>
    /// The F32 key row of <paramref name="layer"/> at <paramref name="position"/>; rows of later positions follow it.
    /// Only for an F32 cache (an F16 cache has no float rows to point at: use <see cref="Store"/> and <see cref="ReadKey"/>).
    /// </summary>
    public float* Keys(int layer, int position) => (float*)FloatRow(keys, layer, position);

    /// <summary>The F32 value row of <paramref name="layer"/> at <paramref name="position"/>, as <see cref="Keys"/>.</summary>
    public float* Values(int layer, int position) => (float*)FloatRow(values, layer, position);

    /// <summary>
    /// Writes the key and value rows (<see cref="KvDimension"/> floats each) of <paramref name="layer"/> at
    /// <paramref name="position"/>; an F16 cache rounds them to nearest even.
    /// </summary>
    public void Store(int layer, int position, float* key, float* value)
    {
        if (key == null) throw new ArgumentNullException(nameof(key));
        if (value == null) throw new ArgumentNullException(nameof(value));
        byte* keyRow = Row(keys, layer, position);
        byte* valueRow = Row(values, layer, position);
        if (Type == KvCacheType.F32)
        {
            Buffer.MemoryCopy(key, keyRow, (long)KvDimension * sizeof(float), (long)KvDimension * sizeof(float));
            Buffer.MemoryCopy(value, valueRow, (long)KvDimension * sizeof(float), (long)KvDimension * sizeof(float));
        }
        else
        {
            TensorPrimitives.ConvertToHalf(new ReadOnlySpan<float>(key, KvDimension), new Span<Half>(keyRow, KvDimension));
            TensorPrimitives.ConvertToHalf(new ReadOnlySpan<float>(value, KvDimension), new Span<Half>(valueRow, KvDimension));
        }
    }

    /// <summary>Copies the key row of <paramref name="layer"/> at <paramref name="position"/> into <paramref name="destination"/> as floats.</summary>
    public void ReadKey(int layer, int position, Span<float> destination) => Read(keys, layer, position, destination);

    /// <summary>Copies the value row of <paramref name="layer"/> at <paramref name="position"/> into <paramref name="destination"/> as floats.</summary>
    public void ReadValue(int layer, int position, Span<float> destination) => Read(values, layer, position, destination);

    /// <summary>
    /// The key row of <paramref name="layer"/> at <paramref name="position"/> as floats: the row itself for F32, else the row
    /// widened into a buffer that the next call to this or <see cref="ValueRowAsFloats"/> overwrites.
    /// </summary>
    internal float* KeyRowAsFloats(int layer, int position) => RowAsFloats(keys, layer, position);

    /// <summary>The value row as floats; see <see cref="KeyRowAsFloats"/>.</summary>
    internal float* ValueRowAsFloats(int layer, int position) => RowAsFloats(values, layer, position);

    // Unchecked: Attention validates layer and the position range once per call.
    private float* RowAsFloats(byte* cache, int layer, int position)
    {
        byte* row = cache + ((long)layer * ContextLength + position) * KvDimension * ElementBytes;
        if (Type == KvCacheType.F32) return (float*)row;
        // Every f16 value is exactly representable as f32: the widening itself loses nothing.
        TensorPrimitives.ConvertToSingle(new ReadOnlySpan<Half>(row, KvDimension), new Span<float>(widenedRow, KvDimension));
        return widenedRow;
    }

    private void Read(byte* cache, int layer, int position, Span<float> destination)
    {
        if (destination.Length < KvDimension)
            throw new ArgumentException($"The destination holds {destination.Length} floats; a cache row has {KvDimension}.", nameof(destination));
        byte* row = Row(cache, layer, position);
        if (Type == KvCacheType.F32) new ReadOnlySpan<float>(row, KvDimension).CopyTo(destination);
        else TensorPrimitives.ConvertToSingle(new ReadOnlySpan<Half>(row, KvDimension), destination[..KvDimension]);
    }

    private byte* FloatRow(byte* cache, int layer, int position)
    {
        if (Type != KvCacheType.F32)
            throw new InvalidOperationException($"This KV cache stores {Type}; float rows exist only in an F32 cache (use Store and ReadKey/ReadValue).");
        return Row(cache, layer, position);
    }

    private byte* Row(byte* cache, int layer, int position)
    {
        if (cache == null) throw new ObjectDisposedException(nameof(KvCache));
        if ((uint)layer >= (uint)BlockCount) throw new ArgumentOutOfRangeException(nameof(layer), layer, $"The cache has {BlockCount} layers.");
        if ((uint)position >= (uint)ContextLength) throw new ArgumentOutOfRangeException(nameof(position), position, $"The cache holds {ContextLength} positions.");
        return cache + ((long)layer * ContextLength + position) * KvDimension * ElementBytes;
    }

    /// <summary>Bytes of one key (or value) row: <see cref="KvDimension"/> elements of <see cref="ElementBytes"/>.</summary>
    public int RowBytes => KvDimension * ElementBytes;

    /// <summary>
    /// Copies positions <c>[0, count)</c> of every layer from <paramref name="source"/> (same shape and type, at least as
    /// many positions): how a sequence is forked. The rows are copied, nothing is shared.
    /// </summary>
    public void CopyFrom(KvCache source, int count)
    {
        ArgumentNullException.ThrowIfNull(source);
        ThrowIfDisposed();
        source.ThrowIfDisposed();
        if (source.BlockCount != BlockCount || source.KvDimension != KvDimension || source.Type != Type)
            throw new ArgumentException($"A {source.Type} cache of {source.BlockCount} x {source.KvDimension} cannot be copied into a {Type} cache of {BlockCount} x {KvDimension}.", nameof(source));
        if ((uint)count > (uint)Math.Min(ContextLength, source.ContextLength))
            throw new ArgumentOutOfRangeException(nameof(count), count, $"Both caches must hold {count} positions ({source.ContextLength} and {ContextLength} do).");
        long bytes = (long)count * RowBytes;
        for (int layer = 0; layer < BlockCount; layer++)
        {
            Buffer.MemoryCopy(source.Row(source.keys, layer, 0), Row(keys, layer, 0), bytes, bytes);
            Buffer.MemoryCopy(source.Row(source.values, layer, 0), Row(values, layer, 0), bytes, bytes);
        }
    }

    /// <summary>The stored bytes of positions <c>[position, position + count)</c> of a layer's keys or values, for saving a state.</summary>
    public Span<byte> Rows(int layer, int position, int count, bool values)
    {
        if ((uint)count > (uint)(ContextLength - position) || position < 0)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"Positions [{position}, {position + count}) are outside the cache's {ContextLength}.");
        if (count == 0) return [];
        return new Span<byte>(Row(values ? this.values : keys, layer, position), checked(count * RowBytes));
    }

    /// <summary>
    /// Moves positions <c>[from, from + count)</c> of every layer to <c>[to, to + count)</c> (<c>to &lt; from</c>), and re-rotates
    /// each moved key by <c>from - to</c> positions through <paramref name="rope"/> (the keys were cached after RoPE at their old
    /// positions): llama.cpp's context shift. An F16 cache rounds the re-rotated keys again.
    /// </summary>
    public void Shift(int from, int to, int count, RopeTable rope, int kvHeads)
    {
        ArgumentNullException.ThrowIfNull(rope);
        ThrowIfDisposed();
        if (to < 0 || to >= from || count < 0 || from + count > ContextLength)
            throw new ArgumentOutOfRangeException(nameof(from), from, $"Cannot move {count} positions from {from} to {to} in a cache of {ContextLength}.");
        int delta = from - to;
        float* row = (float*)NativeMemory.AlignedAlloc((nuint)KvDimension * sizeof(float), 64);
        try
        {
            for (int layer = 0; layer < BlockCount; layer++)
            {
                for (int i = 0; i < count; i++)
                {
                    var destination = new Span<float>(row, KvDimension);
                    ReadKey(layer, from + i, destination);
                    rope.RotateBack(row, kvHeads, delta);
                    byte* value = Row(values, layer, from + i);
                    byte* target = Row(values, layer, to + i);
                    Buffer.MemoryCopy(value, target, RowBytes, RowBytes);
                    StoreKey(layer, to + i, row);
                }
            }
        }
        finally
        {
            NativeMemory.AlignedFree(row);
        }
    }

    private void StoreKey(int layer, int position, float* key)
    {
        byte* keyRow = Row(keys, layer, position);
        if (Type == KvCacheType.F32) Buffer.MemoryCopy(key, keyRow, (long)KvDimension * sizeof(float), (long)KvDimension * sizeof(float));
        else TensorPrimitives.ConvertToHalf(new ReadOnlySpan<float>(key, KvDimension), new Span<Half>(keyRow, KvDimension));
    }

    internal void ThrowIfDisposed()
    {
        if (keys == null) throw new ObjectDisposedException(nameof(KvCache));
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
        NativeMemory.AlignedFree(widenedRow);
        keys = null;
        values = null;
        widenedRow = null;
    }
}
