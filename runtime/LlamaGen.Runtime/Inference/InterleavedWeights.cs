using System.Runtime.InteropServices;
using LlamaGen.Gguf;
using LlamaGen.Quantization;

namespace LlamaGen.Inference;

/// <summary>
/// The Q4_0 and Q8_0 matrices of a loaded model, repacked from the GGUF file's layout into
/// <see cref="InterleavedLayout"/> (what the generated kernels read), in native memory this object owns.
/// </summary>
/// <remarks>
/// Repacking reads each tensor through the file's mapping once; afterwards the mapped pages are released
/// (<c>madvise(MADV_DONTNEED)</c> on Linux), so the process holds the repacked copy, not both: peak memory stays near
/// the file size. The pages are still in the page cache, and any later read of the mapping (the token embedding, when
/// the classifier shares it) faults them back in. Scales are checked while repacking: an infinite or NaN scale is
/// reported with the tensor, block and file offset instead of producing garbage logits.
/// </remarks>
public sealed unsafe partial class InterleavedWeights : IDisposable
{
    private readonly List<nint> allocations = [];

    /// <summary>Bytes of repacked weights held.</summary>
    public long Bytes { get; private set; }

    /// <summary>
    /// Returns <paramref name="tensor"/> unchanged when its type is not interleaved; otherwise a copy in
    /// <see cref="InterleavedLayout"/> (same type, rows and row size; the rows are padded to a multiple of 8).
    /// </summary>
    public WeightTensor Repack(GgufFile file, string tensorName, WeightTensor tensor)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (!InterleavedLayout.IsInterleaved(tensor.Type)) return tensor;

        long bytes = InterleavedLayout.Bytes(tensor.Type, tensor.Rows, tensor.Columns);
        long sourceBytes = tensor.Rows * tensor.RowBytes;
        Advise(tensor.Pointer, sourceBytes, MadviseWillNeed); // read ahead: fewer, larger page faults
        CheckScales(file, tensorName, tensor);
        byte* destination = (byte*)NativeMemory.AlignedAlloc((nuint)bytes, 64);
        allocations.Add((nint)destination);
        Bytes += bytes;

        // Groups are independent: large tensors are repacked by all cores (loading is memory-bound page-cache copying).
        long groups = (tensor.Rows + InterleavedLayout.GroupRows - 1) / InterleavedLayout.GroupRows;
        const long GroupsPerChunk = 64;
        long chunks = (groups + GroupsPerChunk - 1) / GroupsPerChunk;
        GgmlType type = tensor.Type;
        byte* source = tensor.Pointer;
        long rows = tensor.Rows, columns = tensor.Columns;
        Parallel.For(0L, chunks, chunk =>
        {
            long first = chunk * GroupsPerChunk;
            InterleavedLayout.Repack(type, source, rows, columns, destination, first, Math.Min(GroupsPerChunk, groups - first));
        });
        Advise(tensor.Pointer, sourceBytes, MadviseDontNeed);
        return tensor with { Data = (nint)destination };
    }

    private static void CheckScales(GgufFile file, string tensorName, WeightTensor tensor)
    {
        if (!QuantizedBlockValidator.TryFindNonFiniteScale(tensor.Type, tensor.Pointer, tensor.Rows * tensor.RowBytes, out NonFiniteScale found)) return;
        // The tensor's offset in the file, from its pointer into the mapping.
        GgufTensorInfo any = file.Tensors[0];
        long tensorOffset = (long)(tensor.Pointer - (byte*)file.GetTensorPointer(any)) + file.DataOffset + any.Offset;
        throw QuantizedBlockValidator.NonFiniteScaleError(file.Path, tensorName, tensor.Type, tensorOffset, found);
    }

    /// <summary>
    /// madvise on the whole pages inside a mapped range (Linux; elsewhere a no-op): WILLNEED starts reading ahead,
    /// DONTNEED drops pages the process no longer reads from its resident set. Advice only: failures are ignored.
    /// </summary>
    private static void Advise(byte* start, long length, int advice)
    {
        if (!OperatingSystem.IsLinux()) return;
        const long Page = 4096;
        long first = ((long)start + Page - 1) & ~(Page - 1);
        long end = ((long)start + length) & ~(Page - 1);
        if (end > first) _ = Madvise((nint)first, (nuint)(end - first), advice);
    }

    private const int MadviseWillNeed = 3;
    private const int MadviseDontNeed = 4;

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int Madvise(nint address, nuint length, int advice);

    public void Dispose()
    {
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
