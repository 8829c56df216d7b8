namespace LlamaGen.Chat.Values;

/// <summary>A range's values as a read-only list computed on demand, so a loop over <c>range(n)</c> holds no array of n items.</summary>
internal sealed class RangeItems(PyRange range) : IReadOnlyList<object?>
{
    public int Count { get; } = (int)range.Length;

    public object? this[int index] => range[index];

    public IEnumerator<object?> GetEnumerator()
    {
        for (int i = 0; i < Count; i++)
            yield return range[i];
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
