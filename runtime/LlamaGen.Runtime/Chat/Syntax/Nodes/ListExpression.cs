namespace LlamaGen.Chat.Syntax;

/// <summary>A list literal <c>[a, b]</c>.</summary>
internal sealed record ListExpression(SourcePosition Position, IReadOnlyList<Expression> Items) : Expression(Position);
