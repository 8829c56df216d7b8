namespace LlamaGen.Chat.Syntax;

/// <summary><c>{% macro name(parameters) %}body{% endmacro %}</c>.</summary>
internal sealed record MacroStatement(SourcePosition Position, string Name, MacroSignature Signature, IReadOnlyList<Statement> Body) : Statement(Position);
