namespace LlamaGen.Chat.Values;

/// <summary>jinja2's <c>joiner(sep)</c>: calling it returns "" the first time and the separator after.</summary>
internal sealed class Joiner(object? separator)
{
    public object? Separator { get; } = separator;

    public bool Used { get; set; }
}
