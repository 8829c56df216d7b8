using System.IO.Hashing;
using System.IO.MemoryMappedFiles;
using System.Text;
using LlamaGen.Models;

namespace LlamaGen.Quantization;

/// <summary>
/// A repacked-weights cache file, mapped read-only: the quantized matrices of one model file already in the layout the
/// kernels read (<see cref="InterleavedLayout"/>, <see cref="KQuantInterleavedLayout"/>), so a load binds pointers into
/// the mapping instead of repacking.
/// </summary>
/// <remarks>
/// Layout (little-endian): magic <c>LLGWCACH</c>, format version, <see cref="LayoutVersion"/>, header length, the key
/// (<see cref="WeightCacheKey"/>), the entries (name, type, rows, columns, offset, length, sample hash), the file length,
/// then an XxHash3 of all the header before it. Each matrix starts on a 4 KiB boundary after the header.
/// What is checked on open: the magic, the header hash, both versions, the key, every entry's length against the layout's
/// size for its type and shape and its range against the file, the file's length against the header (truncation), and
/// per matrix an XxHash3 of three sampled 4 KiB pages (first, middle, last). A hash of every byte would read the whole
/// file (4 GB for a 7B model) before the first token, about what repacking costs; the file is only ever published by an
/// atomic rename of a complete, flushed temporary, so partial writes cannot occur and what the checks target is a file
/// truncated, overwritten or written by another version, which they catch. Silent corruption of a page in the middle
/// of a matrix is not detected, as it is not for the GGUF file itself.
/// </remarks>
internal sealed unsafe class WeightCacheFile : IDisposable
{
    /// <summary>
    /// The version of the repacked layouts. Bump it whenever <see cref="InterleavedLayout"/>, <see cref="KQuantInterleavedLayout"/>
    /// or the repacker's output changes: every existing cache then misses and is rebuilt.
    /// </summary>
    public const int LayoutVersion = 1;

    private const int FormatVersion = 1;
    private const ulong Magic = 0x4843414357474C4C; // "LLGWCACH"
    private const int Alignment = 4096;
    private const int SampleBytes = 4096;
    private const int MaxHeaderBytes = 64 << 20;
    private const int FixedHeaderBytes = 20;

    private readonly MemoryMappedFile mapping;
    private readonly MemoryMappedViewAccessor view;
    private readonly byte* basePointer;
    private readonly Dictionary<string, WeightCacheEntry> entries;

    private WeightCacheFile(string path, MemoryMappedFile mapping, MemoryMappedViewAccessor view, byte* basePointer, Dictionary<string, WeightCacheEntry> entries)
    {
        Path = path;
        this.mapping = mapping;
        this.view = view;
        this.basePointer = basePointer;
        this.entries = entries;
    }

    public string Path { get; }

    public int Count => entries.Count;

    /// <summary>
    /// Where in the cache file the copy of <paramref name="name"/> lies, for positioned reads, when its type and shape are
    /// <paramref name="tensor"/>'s.
    /// </summary>
    public bool TryGetRange(string name, WeightTensor tensor, out long offset, out long length)
    {
        offset = length = 0;
        if (!entries.TryGetValue(name, out WeightCacheEntry entry)) return false;
        if (entry.Type != tensor.Type || entry.Rows != tensor.Rows || entry.Columns != tensor.Columns) return false;
        offset = entry.Offset;
        length = entry.Length;
        return true;
    }

    /// <summary>
    /// Opens the cache at <paramref name="path"/> if it is valid for <paramref name="key"/>. Otherwise returns null and says
    /// why (<see cref="WeightCacheProbe"/>): <see cref="WeightCacheProbe.Missing"/> (no file), <see cref="WeightCacheProbe.Invalid"/> (a LlamaGen cache that is stale, truncated or
    /// corrupt; a warning is added), <see cref="WeightCacheProbe.Foreign"/> (some other file: a warning, and the caller must not replace it).
    /// Never throws for a bad file.
    /// </summary>
    public static WeightCacheFile? TryOpen(string path, string key, List<string> warnings, out WeightCacheProbe probe)
    {
        FileStream stream;
        try
        {
            if (!File.Exists(path)) { probe = WeightCacheProbe.Missing; return null; }
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1, FileOptions.RandomAccess);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            warnings.Add($"{path}: the weight cache could not be opened ({e.Message}); repacking.");
            probe = WeightCacheProbe.Invalid;
            return null;
        }

        bool owned = true;
        try
        {
            string? problem = Validate(stream, key, out Dictionary<string, WeightCacheEntry>? entries, out bool foreign);
            if (foreign)
            {
                warnings.Add($"{path}: this file is not a LlamaGen weight cache; it is left alone and not used.");
                probe = WeightCacheProbe.Foreign;
                return null;
            }
            if (problem is not null)
            {
                warnings.Add($"{path}: {problem}; the cache is ignored and rebuilt.");
                probe = WeightCacheProbe.Invalid;
                return null;
            }

            var mapping = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
            owned = false; // the mapping owns the stream now
            MemoryMappedViewAccessor view;
            try { view = mapping.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read); }
            catch { mapping.Dispose(); throw; }
            byte* pointer = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            var file = new WeightCacheFile(path, mapping, view, pointer + view.PointerOffset, entries!);
            foreach (WeightCacheEntry entry in entries!.Values)
            {
                if (SampleHash(file.basePointer + entry.Offset, entry.Length) == entry.SampleHash) continue;
                file.Dispose();
                warnings.Add($"{path}: the data of tensor '{entry.Name}' at byte {entry.Offset} does not match its checksum (corrupt); the cache is ignored and rebuilt.");
                probe = WeightCacheProbe.Invalid;
                return null;
            }
            probe = WeightCacheProbe.Valid;
            return file;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            warnings.Add($"{path}: the weight cache could not be read ({e.Message}); repacking.");
            probe = WeightCacheProbe.Invalid;
            return null;
        }
        finally
        {
            if (owned) stream.Dispose();
        }
    }

    /// <summary>Null when the header is sound for <paramref name="key"/>; otherwise what is wrong.</summary>
    private static string? Validate(FileStream stream, string key, out Dictionary<string, WeightCacheEntry>? entries, out bool foreign)
    {
        entries = null;
        foreign = false;
        long length = stream.Length;
        Span<byte> start = stackalloc byte[FixedHeaderBytes];
        int got = RandomAccess.Read(stream.SafeFileHandle, start, 0);
        if (got >= 8 && BitConverter.ToUInt64(start) != Magic) { foreign = true; return "not a weight cache"; }
        if (got < FixedHeaderBytes) return $"the file is {length} bytes, too short for a header (truncated)";

        int formatVersion = BitConverter.ToInt32(start[8..]);
        int layoutVersion = BitConverter.ToInt32(start[12..]);
        int headerBytes = BitConverter.ToInt32(start[16..]);
        if (formatVersion != FormatVersion) return $"it has format version {formatVersion}, this LlamaGen reads {FormatVersion} (stale)";
        if (headerBytes < FixedHeaderBytes + 8 || headerBytes > MaxHeaderBytes)
            return $"its header length {headerBytes} is impossible (corrupt)";
        if (headerBytes > length) return $"the file is {length} bytes, shorter than its {headerBytes}-byte header (truncated)";

        var header = new byte[headerBytes];
        if (RandomAccess.Read(stream.SafeFileHandle, header, 0) != headerBytes) return "the header could not be read whole (truncated)";
        if (XxHash3.HashToUInt64(header.AsSpan(0, headerBytes - 8)) != BitConverter.ToUInt64(header, headerBytes - 8))
            return "its header checksum does not match (corrupt)";
        if (layoutVersion != LayoutVersion) return $"it holds layout version {layoutVersion}, this LlamaGen repacks version {LayoutVersion} (stale)";

        try
        {
            using var reader = new BinaryReader(new MemoryStream(header, FixedHeaderBytes, headerBytes - FixedHeaderBytes - 8), Encoding.UTF8);
            string storedKey = reader.ReadString();
            if (storedKey != key) return $"it was written for '{storedKey}', the model is now '{key}' (stale: the model file changed)";
            int count = reader.ReadInt32();
            if (count <= 0 || count > 1 << 20) return $"its tensor count {count} is impossible (corrupt)";
            var read = new Dictionary<string, WeightCacheEntry>(count, StringComparer.Ordinal);
            for (int i = 0; i < count; i++)
            {
                var entry = new WeightCacheEntry(reader.ReadString(), (GgmlType)reader.ReadInt32(), reader.ReadInt64(), reader.ReadInt64(),
                    reader.ReadInt64(), reader.ReadInt64(), reader.ReadUInt64());
                if (entry.Rows <= 0 || entry.Columns <= 0 || !InterleavedLayout.IsInterleaved(entry.Type))
                    return $"tensor '{entry.Name}' has an impossible type or shape (corrupt)";
                long expected = InterleavedLayout.Bytes(entry.Type, entry.Rows, entry.Columns);
                if (entry.Length != expected) return $"tensor '{entry.Name}' holds {entry.Length} bytes, its layout needs {expected} (corrupt)";
                if (entry.Offset < headerBytes || entry.Offset % Alignment != 0 || entry.Offset > length - entry.Length)
                    return $"tensor '{entry.Name}' at byte {entry.Offset} (+{entry.Length}) lies outside the {length}-byte file (truncated)";
                if (!read.TryAdd(entry.Name, entry)) return $"tensor '{entry.Name}' appears twice (corrupt)";
            }
            long recordedLength = reader.ReadInt64();
            if (recordedLength != length) return $"the file is {length} bytes, its header says {recordedLength} (truncated)";
            entries = read;
            return null;
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or ArgumentException or OverflowException or DecoderFallbackException)
        {
            return $"its header does not parse ({e.Message}) (corrupt)";
        }
    }

    /// <summary>
    /// Writes a cache holding <paramref name="tensors"/> (pointers to their repacked bytes) to <paramref name="path"/>: into
    /// a temporary file in the same folder, flushed to disk, then renamed over the path, so a reader sees the old file or
    /// the whole new one, never a partial one. Two writers at once each rename a complete file of the same content.
    /// Throws <see cref="IOException"/> or <see cref="UnauthorizedAccessException"/> when the folder cannot be written.
    /// </summary>
    public static void Write(string path, string key, IReadOnlyList<(WeightCacheEntry Entry, nint Data)> tensors)
    {
        string directory = System.IO.Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(directory);
        var placed = new WeightCacheEntry[tensors.Count];
        int headerBytes = Header(key, tensors.Select(t => t.Entry).ToArray(), 0).Length; // offsets are fixed-size: same length
        long offset = Align(headerBytes);
        for (int i = 0; i < tensors.Count; i++)
        {
            var (entry, data) = tensors[i];
            placed[i] = entry with { Offset = offset, SampleHash = SampleHash((byte*)data, entry.Length) };
            offset = Align(offset + entry.Length);
        }
        long fileLength = placed.Length == 0 ? headerBytes : placed[^1].Offset + placed[^1].Length;
        byte[] header = Header(key, placed, fileLength);

        string temporary = System.IO.Path.Combine(directory, $".{System.IO.Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                stream.SetLength(fileLength);
                stream.Write(header);
                for (int i = 0; i < placed.Length; i++)
                {
                    stream.Position = placed[i].Offset;
                    byte* data = (byte*)tensors[i].Data;
                    for (long done = 0; done < placed[i].Length;)
                    {
                        int chunk = (int)Math.Min(1 << 30, placed[i].Length - done);
                        stream.Write(new ReadOnlySpan<byte>(data + done, chunk));
                        done += chunk;
                    }
                }
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            try { File.Delete(temporary); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
            throw;
        }
    }

    private static byte[] Header(string key, WeightCacheEntry[] entries, long fileLength)
    {
        using var memory = new MemoryStream();
        using (var writer = new BinaryWriter(memory, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Magic);
            writer.Write(FormatVersion);
            writer.Write(LayoutVersion);
            writer.Write(0); // header length, patched below
            writer.Write(key);
            writer.Write(entries.Length);
            foreach (WeightCacheEntry entry in entries)
            {
                writer.Write(entry.Name);
                writer.Write((int)entry.Type);
                writer.Write(entry.Rows);
                writer.Write(entry.Columns);
                writer.Write(entry.Offset);
                writer.Write(entry.Length);
                writer.Write(entry.SampleHash);
            }
            writer.Write(fileLength);
        }
        byte[] header = new byte[memory.Length + 8];
        memory.ToArray().CopyTo(header, 0);
        BitConverter.TryWriteBytes(header.AsSpan(16), header.Length);
        BitConverter.TryWriteBytes(header.AsSpan(header.Length - 8), XxHash3.HashToUInt64(header.AsSpan(0, header.Length - 8)));
        return header;
    }

    /// <summary>XxHash3 of the length and of three 4 KiB pages (first, middle, last) of a matrix's bytes.</summary>
    public static ulong SampleHash(byte* data, long length)
    {
        var hash = new XxHash3();
        hash.Append(BitConverter.GetBytes(length));
        foreach (long at in (long[])[0, Math.Max(0, length / 2 - SampleBytes / 2), Math.Max(0, length - SampleBytes)])
            hash.Append(new ReadOnlySpan<byte>(data + at, (int)Math.Min(SampleBytes, length - at)));
        return hash.GetCurrentHashAsUInt64();
    }

    private static long Align(long offset) => (offset + Alignment - 1) / Alignment * Alignment;

    /// <summary>
    /// Rewrites the layout version of the cache at <paramref name="path"/> (and its header checksum), as a LlamaGen with
    /// another layout version would have written it. For tests of invalidation.
    /// </summary>
    internal static void RewriteLayoutVersion(string path, int version)
    {
        byte[] start = new byte[FixedHeaderBytes];
        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        stream.ReadExactly(start);
        var header = new byte[BitConverter.ToInt32(start, 16)];
        stream.Position = 0;
        stream.ReadExactly(header);
        BitConverter.TryWriteBytes(header.AsSpan(12), version);
        BitConverter.TryWriteBytes(header.AsSpan(header.Length - 8), XxHash3.HashToUInt64(header.AsSpan(0, header.Length - 8)));
        stream.Position = 0;
        stream.Write(header);
    }

    public void Dispose()
    {
        view.SafeMemoryMappedViewHandle.ReleasePointer();
        view.Dispose();
        mapping.Dispose();
    }
}
