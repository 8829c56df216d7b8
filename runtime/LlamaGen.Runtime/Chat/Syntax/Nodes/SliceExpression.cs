namespace LlamaGen.Chat.Syntax;

/// <summary><c>start:stop:step</c> inside brackets; absent parts are null.</summary>
internal sealed record SliceExpression(SourcePosition Position, Expression? Start, Expression? Stop, Expression? Step) : Expression(Position);
