namespace LlamaGen.Chat.Syntax;

/// <summary>A literal: string, integer, float, boolean or none (a Python value).</summary>
internal sealed record ConstantExpression(SourcePosition Position, object? Value) : Expression(Position);
