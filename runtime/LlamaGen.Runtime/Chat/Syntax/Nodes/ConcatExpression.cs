namespace LlamaGen.Chat.Syntax;

/// <summary><c>a ~ b ~ c</c>: the string forms joined.</summary>
internal sealed record ConcatExpression(SourcePosition Position, IReadOnlyList<Expression> Items) : Expression(Position);
