namespace LlamaGen.Chat.Syntax;

/// <summary><c>a &lt; b &lt;= c</c>: each pair compared, stopping at the first false one.</summary>
internal sealed record CompareExpression(SourcePosition Position, Expression First, IReadOnlyList<CompareOperand> Rest) : Expression(Position);
