namespace LlamaGen.Chat.Syntax;

/// <summary><c>{% set target = value %}</c>.</summary>
internal sealed record SetStatement(SourcePosition Position, Expression Target, Expression Value) : Statement(Position);
