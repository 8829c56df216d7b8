using System.Globalization;
using System.IO.Hashing;
using Microsoft.Win32.SafeHandles;
using LlamaGen.Gguf;

namespace LlamaGen.Quantization;

/// <summary>
/// What a weight cache must match to be trusted: the model file's identity (full path, size, last-write time), a hash
/// of its header and tensor-info region (so a file rewritten in place with the same size and time still misses), and the
/// layout the repacker writes.
/// </summary>
internal static class WeightCacheKey
{
    /// <summary>
    /// The repacked layout written today. The layout does not depend on the kernel ISA (AVX-512, AVX2 and NEON kernels
    /// read the same groups of 8 rows), so one cache serves every ISA; a per-ISA layout would need its own kind here.
    /// </summary>
    public const string LayoutKind = "interleaved-8-rows-le";

    public static string Compute(GgufFile file)
    {
        var info = new FileInfo(file.Path);
        ulong headerHash = HashHeader(file);
        return string.Create(CultureInfo.InvariantCulture,
            $"{info.FullName}|{info.Length}|{info.LastWriteTimeUtc.Ticks}|{headerHash:x16}|{LayoutKind}");
    }

    // Read with a positioned read rather than the mapping: a few MB at most (the vocabulary), hashed once per load.
    private static ulong HashHeader(GgufFile file)
    {
        var hash = new XxHash3();
        var buffer = new byte[1 << 20];
        using SafeFileHandle handle = File.OpenHandle(file.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        for (long offset = 0; offset < file.DataOffset;)
        {
            int read = RandomAccess.Read(handle, buffer.AsSpan(0, (int)Math.Min(buffer.Length, file.DataOffset - offset)), offset);
            if (read <= 0) break;
            hash.Append(buffer.AsSpan(0, read));
            offset += read;
        }
        return hash.GetCurrentHashAsUInt64();
    }
}
