namespace LlamaGen.Chat.Values;

/// <summary>
/// A Python tuple. <see cref="FieldNames"/> makes it a named tuple (jinja2's <c>groupby</c> gives
/// <c>(grouper, list)</c> pairs whose fields can also be read as attributes).
/// </summary>
internal sealed class PyTuple(object?[] items, string[]? fieldNames = null)
{
    public static readonly PyTuple Empty = new([]);

    public object?[] Items { get; } = items;

    public string[]? FieldNames { get; } = fieldNames;

    public int Count => Items.Length;
}
