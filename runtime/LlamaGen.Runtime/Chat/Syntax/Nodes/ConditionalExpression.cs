namespace LlamaGen.Chat.Syntax;

/// <summary><c>then if test else otherwise</c>; without <c>else</c> a false test gives an undefined value.</summary>
internal sealed record ConditionalExpression(SourcePosition Position, Expression Test, Expression Then, Expression? Otherwise) : Expression(Position);
