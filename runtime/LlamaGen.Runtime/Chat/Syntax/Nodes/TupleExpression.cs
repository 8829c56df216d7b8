namespace LlamaGen.Chat.Syntax;

/// <summary>A tuple <c>(a, b)</c> or <c>a, b</c>; also a tuple-unpacking target.</summary>
internal sealed record TupleExpression(SourcePosition Position, IReadOnlyList<Expression> Items) : Expression(Position);
