namespace LlamaGen.Chat.Values;

/// <summary>
/// A one-pass Python iterator, such as the generators that <c>map</c>, <c>select</c> and <c>unique</c> return: it has
/// no length, cannot be indexed, is always true, and is empty once consumed.
/// </summary>
internal sealed class PyIterator(IEnumerable<object?> items, string typeName, string? function = null)
{
    /// <summary>The Python function a generator came from (<c>sync_do_map</c>...), which Python prints.</summary>
    public string? Function { get; } = function;

    private IEnumerator<object?>? _enumerator = items.GetEnumerator();

    /// <summary>Python's type name, for error messages: <c>generator</c>, <c>list_reverseiterator</c>, ...</summary>
    public string TypeName { get; } = typeName;

    public IEnumerable<object?> Consume()
    {
        IEnumerator<object?>? enumerator = _enumerator;
        if (enumerator is null)
            yield break;
        while (enumerator.MoveNext())
            yield return enumerator.Current;
        _enumerator = null;
    }
}
