using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using LlamaGen.Gguf;
using LlamaGen.Quantization;
using LlamaGen.Models;

namespace LlamaGen.Quantization;

/// <summary>
/// The quantized matrices of a loaded model, repacked from the GGUF file's layout into <see cref="InterleavedLayout"/>
/// (32-element block types) or <see cref="KQuantInterleavedLayout"/> (K-quants), what the generated kernels read, in native
/// memory this object owns, or mapped from a repacked-weights cache (<see cref="OpenCache"/>).
/// </summary>
/// <remarks>
/// Repacking reads each tensor from the file with positioned reads (not through the mapping), so the process holds
/// the repacked copy and never the mapped pages of the same tensor: peak memory stays near the file size. Scales are
/// checked while repacking: an infinite or NaN scale is reported with the tensor, block and file offset instead of
/// producing garbage logits.
/// </remarks>
public sealed unsafe partial class InterleavedWeights : IDisposable
{
    private readonly List<nint> allocations = [];

    /// <summary>Bytes of repacked weights held.</summary>
    public long Bytes { get; private set; }

    /// <summary>
    /// Returns <paramref name="tensor"/> unchanged when its type is not interleaved; otherwise a copy in
    /// <see cref="InterleavedLayout"/> (same type and rows; the rows are padded to a multiple of 8, and K-quant rows take a
/// little more room than in the file).
    /// </summary>
    public WeightTensor Repack(GgufFile file, string tensorName, WeightTensor tensor)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (!InterleavedLayout.IsInterleaved(tensor.Type)) return tensor;
        if (FromCache(tensorName, tensor) is { } cached) return cached;

        long bytes = InterleavedLayout.Bytes(tensor.Type, tensor.Rows, tensor.Columns);
        byte* destination = AllocateLarge(bytes);
        allocations.Add((nint)destination);
        Bytes += bytes;

        // The tensor is read with pread in chunks of whole row groups rather than through the mapping: no page faults
        // (the kernel copies from the page cache), and the mapped pages never enter the resident set. Chunks are
        // independent, so all cores read, check and repack.
        long tensorOffset = FileOffset(file, tensor);
        long groups = (tensor.Rows + InterleavedLayout.GroupRows - 1) / InterleavedLayout.GroupRows;
        long groupsPerChunk = Math.Max(1, (4 << 20) / (InterleavedLayout.GroupRows * tensor.RowBytes));
        long chunks = (groups + groupsPerChunk - 1) / groupsPerChunk;
        long chunkBytes = groupsPerChunk * InterleavedLayout.GroupRows * tensor.RowBytes;
        GgmlType type = tensor.Type;
        long rows = tensor.Rows, columns = tensor.Columns, rowBytes = tensor.RowBytes;
        bool corrupt = false;
        using (SafeFileHandle handle = File.OpenHandle(file.Path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess))
        {
            Parallel.For(0L, chunks,
                () => (nint)NativeMemory.AlignedAlloc((nuint)chunkBytes, 64),
                (chunk, state, buffer) =>
                {
                    long firstGroup = chunk * groupsPerChunk;
                    long firstRow = firstGroup * InterleavedLayout.GroupRows;
                    long chunkRows = Math.Min(groupsPerChunk * InterleavedLayout.GroupRows, rows - firstRow);
                    var span = new Span<byte>((void*)buffer, checked((int)(chunkRows * rowBytes)));
                    ReadExactly(handle, span, tensorOffset + firstRow * rowBytes, file.Path, tensorName);
                    if (QuantizedBlockValidator.TryFindNonFiniteScale(type, span, out _)) corrupt = true;
                    // The repacker indexes rows from the matrix start; the buffer holds rows from firstRow on.
                    InterleavedLayout.Repack(type, (byte*)buffer - firstRow * rowBytes, rows, columns, destination,
                        firstGroup, Math.Min(groupsPerChunk, groups - firstGroup));
                    return buffer;
                },
                buffer => NativeMemory.AlignedFree((void*)buffer));
        }
        if (corrupt) CheckScales(file, tensorName, tensor); // throws, naming the first bad block of the whole tensor
        WeightTensor repacked = tensor with { Data = (nint)destination };
        Repacked(tensorName, repacked, bytes);
        return repacked;
    }

    private static void ReadExactly(SafeFileHandle handle, Span<byte> buffer, long offset, string path, string tensorName)
    {
        while (!buffer.IsEmpty)
        {
            int read = RandomAccess.Read(handle, buffer, offset);
            if (read <= 0)
                throw new GgufFormatException(path, $"tensor '{tensorName}'", offset, "the file ended while reading the tensor's data (truncated while loading?)");
            buffer = buffer[read..];
            offset += read;
        }
    }

    /// <summary>The tensor's absolute file offset, from its pointer into the mapping.</summary>
    private static long FileOffset(GgufFile file, WeightTensor tensor)
    {
        GgufTensorInfo any = file.Tensors[0];
        return (long)(tensor.Pointer - (byte*)file.GetTensorPointer(any)) + file.DataOffset + any.Offset;
    }

    private static void CheckScales(GgufFile file, string tensorName, WeightTensor tensor)
    {
        if (!QuantizedBlockValidator.TryFindNonFiniteScale(tensor.Type, tensor.Pointer, tensor.Rows * tensor.RowBytes, out NonFiniteScale found)) return;
        throw QuantizedBlockValidator.NonFiniteScaleError(file.Path, tensorName, tensor.Type, FileOffset(file, tensor), found);
    }

    /// <summary>
    /// Native memory for a repacked matrix, 2 MiB-aligned and (on Linux) marked for transparent huge pages: a 7B model
    /// is a million 4 KiB pages, whose first-touch faults cost seconds of load time in a VM, and whose TLB misses cost
    /// bandwidth on every token. Where huge pages are off this is an ordinary allocation.
    /// </summary>
    private static byte* AllocateLarge(long bytes)
    {
        const long HugePage = 2 << 20;
        if (bytes < HugePage || !OperatingSystem.IsLinux()) return (byte*)NativeMemory.AlignedAlloc((nuint)bytes, 64);
        byte* memory = (byte*)NativeMemory.AlignedAlloc((nuint)bytes, (nuint)HugePage);
        // Only whole huge pages inside the allocation: a huge page over the tail would make up to 2 MiB per tensor
        // resident that the matrix never uses. Advice only: failure leaves 4 KiB pages.
        _ = Madvise((nint)memory, (nuint)(bytes & ~(HugePage - 1)), MadviseHugePage);
        return memory;
    }

    private const int MadviseHugePage = 14;

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int Madvise(nint address, nuint length, int advice);

    public void Dispose()
    {
        // The mapping is disposed here only: its handles free themselves when finalized.
        cache?.Dispose();
        cache = null;
        Free();
        GC.SuppressFinalize(this);
    }

    // The memory is native: free it even when the owning model is never disposed.
    ~InterleavedWeights() => Free();

    private void Free()
    {
        lock (allocations)
        {
            foreach (nint pointer in allocations) NativeMemory.AlignedFree((void*)pointer);
            allocations.Clear();
            Bytes = 0;
        }
    }
}
