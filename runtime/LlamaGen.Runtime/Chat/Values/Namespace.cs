namespace LlamaGen.Chat.Values;

/// <summary>jinja2's <c>namespace()</c>: the one mutable object a template can make, changed by <c>{% set ns.x = ... %}</c>.</summary>
internal sealed class Namespace(PyDict attributes)
{
    public PyDict Attributes { get; } = attributes;
}
