namespace LlamaGen.Chat.Values;

/// <summary>A Python dict view (<c>dict_keys</c>, <c>dict_values</c>, <c>dict_items</c>): sized, iterable, re-iterable.</summary>
internal sealed class DictView(PyDict dict, DictViewKind kind)
{
    public PyDict Dict { get; } = dict;

    public DictViewKind Kind { get; } = kind;

    public string TypeName => Kind switch
    {
        DictViewKind.Keys => "dict_keys",
        DictViewKind.Values => "dict_values",
        _ => "dict_items",
    };

    public IEnumerable<object?> Iterate() => Kind switch
    {
        DictViewKind.Keys => Dict.Keys,
        DictViewKind.Values => Dict.Values,
        _ => Dict.Items.Select(pair => (object?)new PyTuple([pair.Key, pair.Value])),
    };
}
