using System.Diagnostics;
using Microsoft.Win32.SafeHandles;
using LlamaGen.Gguf;
using LlamaGen.Models;

namespace LlamaGen.Quantization;

// The repacked-weights cache (ModelLoadOptions.WeightCache): the generated constructor calls OpenCache before binding
// and CompleteCache after; in between, Repack binds each matrix from the mapped cache when it holds it.
public sealed unsafe partial class InterleavedWeights
{
    private ModelLoadOptions? loadOptions;
    private string? cacheKey;
    private IReadOnlyList<string> cachePaths = [];
    private readonly HashSet<string> foreignPaths = new(StringComparer.Ordinal);
    private WeightCacheFile? cache;
    private readonly List<string> cacheWarnings = [];
    private readonly List<(WeightCacheEntry Entry, nint Data)> cacheable = [];
    private int tensorsMapped, tensorsRepacked;

    /// <summary>
    /// Before the matrices are bound: maps the first valid cache of <paramref name="file"/> where
    /// <paramref name="options"/> says caches live. A stale, truncated, corrupt or foreign file is reported and passed over,
    /// never used; nothing here throws for a bad cache.
    /// </summary>
    public void OpenCache(GgufFile file, ModelLoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(options);
        loadOptions = options;
        if (options.WeightCache == WeightCacheMode.Disabled) return;
        try
        {
            cacheKey = WeightCacheKey.Compute(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            cacheWarnings.Add($"{file.Path}: the model file's identity could not be read for the weight cache ({e.Message}); repacking without a cache.");
            return;
        }
        cachePaths = WeightCacheLocations.For(file.Path, options);
        if (cachePaths.Count == 0)
            cacheWarnings.Add("No weight cache folder: set ModelLoadOptions.WeightCacheFolder or LLAMAGEN_CACHE_DIR; repacking without a cache.");
        foreach (string path in cachePaths)
        {
            cache = WeightCacheFile.TryOpen(path, cacheKey, cacheWarnings, out WeightCacheProbe probe);
            if (probe == WeightCacheProbe.Foreign) foreignPaths.Add(path);
            if (cache is not null) break;
        }
    }

    /// <summary>The cached copy of a matrix, or null (then it is repacked, and remembered for the cache file).</summary>
    private WeightTensor? FromCache(string tensorName, WeightTensor tensor)
    {
        if (cache is null) return null;
        if (cache.TryGetRange(tensorName, tensor, out long offset, out long length))
        {
            // Read into huge-page memory rather than used in place in the mapping: 4 KiB file pages cost decode
            // speed in TLB misses (a first measurement: 2.95 against 3.38 tokens/s), and pread keeps the mapped pages
            // out of the resident set, so peak memory stays one copy. The read is a copy from the page cache.
            byte* data = AllocateLarge(length);
            allocations.Add((nint)data);
            Bytes += length;
            ReadRange(cache.Path, offset, length, data, tensorName);
            tensorsMapped++;
            cacheable.Add((new WeightCacheEntry(tensorName, tensor.Type, tensor.Rows, tensor.Columns, 0, length, 0), (nint)data));
            return tensor with { Data = (nint)data };
        }
        cacheWarnings.Add($"{cache.Path}: holds no tensor '{tensorName}' of type {tensor.Type} and shape {tensor.Columns}x{tensor.Rows}; repacking it and rewriting the cache.");
        return null;
    }

    /// <summary>Reads <paramref name="length"/> bytes of the cache file at <paramref name="offset"/>, in parallel chunks.</summary>
    private static void ReadRange(string path, long offset, long length, byte* destination, string tensorName)
    {
        const long Chunk = 8 << 20;
        long chunks = (length + Chunk - 1) / Chunk;
        using SafeFileHandle handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        Parallel.For(0L, chunks, chunk =>
        {
            long start = chunk * Chunk;
            var span = new Span<byte>(destination + start, (int)Math.Min(Chunk, length - start));
            ReadExactly(handle, span, offset + start, path, tensorName);
        });
    }

    private void Repacked(string tensorName, WeightTensor repacked, long bytes)
    {
        tensorsRepacked++;
        if (cacheKey is not null)
            cacheable.Add((new WeightCacheEntry(tensorName, repacked.Type, repacked.Rows, repacked.Columns, 0, bytes, 0), repacked.Data));
    }

    /// <summary>
    /// After the matrices are bound: writes the cache when anything was repacked (first load, or a rebuild), then tells
    /// <see cref="ModelLoadOptions.WeightCacheObserver"/> what happened. A location that cannot be written is reported and
    /// the next one tried; the load succeeds either way.
    /// </summary>
    public void CompleteCache()
    {
        ModelLoadOptions options = loadOptions ?? ModelLoadOptions.Default;
        WeightCacheStatus status;
        string? path = cache?.Path;
        if (options.WeightCache == WeightCacheMode.Disabled) status = WeightCacheStatus.Disabled;
        else if (tensorsMapped + tensorsRepacked == 0) status = WeightCacheStatus.NothingToCache;
        else if (tensorsRepacked == 0 && cache is not null) status = WeightCacheStatus.Mapped;
        else if (cacheKey is null) status = WeightCacheStatus.NotWritten;
        else
        {
            status = WeightCacheStatus.NotWritten;
            path = null;
            foreach (string candidate in cachePaths)
            {
                if (foreignPaths.Contains(candidate)) continue; // someone else's file: never replaced
                try
                {
                    WeightCacheFile.Write(candidate, cacheKey, cacheable);
                    status = WeightCacheStatus.Written;
                    path = candidate;
                    break;
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    cacheWarnings.Add($"{candidate}: the weight cache could not be written ({e.Message}).");
                }
            }
        }
        cacheable.Clear();

        var report = new WeightCacheReport(status, path, cacheWarnings.ToArray(), tensorsMapped, tensorsRepacked);
        if (options.WeightCacheObserver is { } observer) observer(report);
        else foreach (string warning in report.Warnings) Trace.TraceWarning(warning);
    }
}
