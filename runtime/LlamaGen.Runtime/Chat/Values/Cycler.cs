namespace LlamaGen.Chat.Values;

/// <summary>jinja2's <c>cycler(*items)</c>: <c>next()</c> returns the items in turn.</summary>
internal sealed class Cycler(object?[] items)
{
    public object?[] Items { get; } = items;

    public int Position { get; set; }
}
