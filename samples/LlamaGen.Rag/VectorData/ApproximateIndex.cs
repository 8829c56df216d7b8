using Cloud.Unum.USearch;

namespace LlamaGen.Rag.VectorData;

/// <summary>
/// An HNSW index (USearch, cosine) over the passage vectors of one store generation, keyed by passage rowid. It is a
/// cache of the SQLite rows, never a second source of truth: its file name carries the store id and the generation it
/// was built at, and a store at any other generation (a later ingest, even an interrupted one, bumped it) rebuilds it.
/// </summary>
internal sealed class ApproximateIndex : IDisposable
{
    private readonly USearchIndex _index;

    private ApproximateIndex(USearchIndex index, long generation)
    {
        _index = index;
        Generation = generation;
    }

    public long Generation { get; }

    public int Count => checked((int)_index.Size());

    /// <summary>Where the index of <paramref name="generation"/> of a store lives: beside the store file.</summary>
    public static string FileFor(string storePath, Guid storeId, long generation) => $"{storePath}.{storeId:N}.g{generation}.usearch";

    public static ApproximateIndex Build(VectorMatrix matrix, ApproximateSearchOptions options)
    {
        var index = new USearchIndex(MetricKind.Cos, ScalarKind.Float32, (ulong)matrix.Dimensions,
            (ulong)options.Connectivity, (ulong)options.ExpansionAdd, (ulong)options.ExpansionSearch, multi: false);
        try
        {
            var row = new float[matrix.Dimensions];
            for (int i = 0; i < matrix.Count; i++)
            {
                matrix.UnitRow(i).CopyTo(row);
                index.Add((ulong)matrix.RowIdAt(i), row);
            }
            return new ApproximateIndex(index, matrix.Generation);
        }
        catch
        {
            index.Dispose();
            throw;
        }
    }

    /// <summary>The saved index of this generation, or null when there is none (or it cannot be read: it is rebuilt).</summary>
    public static ApproximateIndex? TryLoad(string storePath, Guid storeId, long generation)
    {
        string path = FileFor(storePath, storeId, generation);
        if (!File.Exists(path)) return null;
        try
        {
            // Viewed (memory-mapped), not loaded: a one-shot `ask` reads only the graph pages its search visits.
            return new ApproximateIndex(new USearchIndex(path, view: true), generation);
        }
        catch (USearchException)
        {
            return null;
        }
    }

    /// <summary>Writes the index beside the store (temporary file, then rename) and removes the store's indexes of other generations.</summary>
    public void Save(string storePath, Guid storeId)
    {
        string path = FileFor(storePath, storeId, Generation);
        string temporary = path + ".tmp";
        _index.Save(temporary);
        File.Move(temporary, path, overwrite: true);
        string folder = Path.GetDirectoryName(Path.GetFullPath(storePath))!;
        foreach (string stale in Directory.EnumerateFiles(folder, $"{Path.GetFileName(storePath)}.{storeId:N}.g*.usearch*"))
            if (!string.Equals(Path.GetFullPath(stale), Path.GetFullPath(path), StringComparison.Ordinal))
            {
                // Best effort: another process may still have it mapped (Windows refuses to delete it); it is never used again.
                try { File.Delete(stale); }
                catch (IOException) { }
                catch (UnauthorizedAccessException) { }
            }
    }

    /// <summary>Rowids of the approximate nearest <paramref name="count"/> rows to <paramref name="query"/>, best first.</summary>
    public IReadOnlyList<long> Search(ReadOnlySpan<float> query, int count)
    {
        int found = _index.Search(CosineVector.Normalized(query), count, out ulong[] keys, out _);
        return keys.Take(found).Select(key => (long)key).ToList();
    }

    public void Dispose() => _index.Dispose();
}
