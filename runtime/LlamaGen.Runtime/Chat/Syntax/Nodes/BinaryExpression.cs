namespace LlamaGen.Chat.Syntax;

/// <summary><c>left op right</c>; <c>and</c>/<c>or</c> short-circuit and return an operand, as in Python.</summary>
internal sealed record BinaryExpression(SourcePosition Position, BinaryOperator Operator, Expression Left, Expression Right) : Expression(Position);
