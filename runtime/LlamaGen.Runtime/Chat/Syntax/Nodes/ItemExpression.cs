namespace LlamaGen.Chat.Syntax;

/// <summary><c>target[key]</c>: item first, then attribute (jinja2's <c>getitem</c>); a slice key slices.</summary>
internal sealed record ItemExpression(SourcePosition Position, Expression Target, Expression Key) : Expression(Position);
