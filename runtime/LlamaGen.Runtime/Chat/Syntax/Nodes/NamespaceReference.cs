namespace LlamaGen.Chat.Syntax;

/// <summary>The target <c>ns.attribute</c> of <c>{% set ns.attribute = ... %}</c>.</summary>
internal sealed record NamespaceReference(SourcePosition Position, string Name, string Attribute) : Expression(Position);
