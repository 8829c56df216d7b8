using System.Numerics.Tensors;
using Microsoft.Data.Sqlite;

namespace LlamaGen.Rag.VectorData;

/// <summary>
/// Every passage vector of one store generation, unit-length, in one contiguous array: exact cosine search is a
/// dot product per row. Loaded once per generation and kept while the store does not change.
/// </summary>
internal sealed class VectorMatrix
{
    private readonly long[] _rowIds;
    private readonly float[] _unitRows;

    private VectorMatrix(long generation, int dimensions, long[] rowIds, float[] unitRows)
    {
        Generation = generation;
        Dimensions = dimensions;
        _rowIds = rowIds;
        _unitRows = unitRows;
    }

    public long Generation { get; }
    public int Dimensions { get; }
    public int Count => _rowIds.Length;

    public static VectorMatrix Load(SqliteCommand select, long generation, int dimensions)
    {
        var rowIds = new List<long>();
        var rows = new List<float>();
        using var reader = select.ExecuteReader();
        var buffer = new float[dimensions];
        while (reader.Read())
        {
            var blob = (byte[])reader.GetValue(1);
            if (blob.Length != dimensions * sizeof(float))
                throw new InvalidDataException($"passage row {reader.GetInt64(0)}: vector of {blob.Length / 4} floats, the store's model has {dimensions}");
            rowIds.Add(reader.GetInt64(0));
            CosineVector.Normalize(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(blob), buffer);
            rows.AddRange(buffer);
        }
        return new VectorMatrix(generation, dimensions, rowIds.ToArray(), rows.ToArray());
    }

    /// <summary>Builds a matrix from vectors in memory (benchmarks, tests of the index).</summary>
    public static VectorMatrix FromVectors(IReadOnlyList<float[]> vectors, int dimensions)
    {
        var unit = new float[vectors.Count * dimensions];
        var ids = new long[vectors.Count];
        for (int i = 0; i < vectors.Count; i++)
        {
            ids[i] = i;
            CosineVector.Normalize(vectors[i], unit.AsSpan(i * dimensions, dimensions));
        }
        return new VectorMatrix(0, dimensions, ids, unit);
    }

    public long RowIdAt(int index) => _rowIds[index];

    public ReadOnlySpan<float> UnitRow(int index) => _unitRows.AsSpan(index * Dimensions, Dimensions);

    /// <summary>The <paramref name="count"/> rows most similar to <paramref name="query"/> (any length-scaled vector), best first; <paramref name="allowed"/> restricts the rows (a filter).</summary>
    public List<ScoredRow> Top(ReadOnlySpan<float> query, int count, IReadOnlySet<long>? allowed = null)
    {
        var unitQuery = CosineVector.Normalized(query);
        // A min-heap of the best so far: its root is the worst kept, replaced whenever a better row comes.
        var best = new PriorityQueue<ScoredRow, double>(count + 1);
        for (int i = 0; i < _rowIds.Length; i++)
        {
            if (allowed is not null && !allowed.Contains(_rowIds[i])) continue;
            double score = TensorPrimitives.Dot(UnitRow(i), unitQuery);
            if (best.Count < count) best.Enqueue(new ScoredRow(_rowIds[i], score), score);
            else if (count > 0 && score > best.Peek().Score) best.EnqueueDequeue(new ScoredRow(_rowIds[i], score), score);
        }
        var result = new List<ScoredRow>(best.Count);
        while (best.Count > 0) result.Add(best.Dequeue());
        result.Reverse();
        return result;
    }
}
