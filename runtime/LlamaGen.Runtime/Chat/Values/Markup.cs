namespace LlamaGen.Chat.Values;

/// <summary>markupsafe's <c>Markup</c>: a string marked safe, which autoescaping leaves as it is.</summary>
internal sealed class Markup(string value)
{
    public string Value { get; } = value;

    public override string ToString() => Value;
}
