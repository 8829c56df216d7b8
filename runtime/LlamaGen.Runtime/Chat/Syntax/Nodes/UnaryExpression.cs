namespace LlamaGen.Chat.Syntax;

/// <summary><c>-x</c>, <c>+x</c>, <c>not x</c>.</summary>
internal sealed record UnaryExpression(SourcePosition Position, UnaryOperator Operator, Expression Operand) : Expression(Position);
