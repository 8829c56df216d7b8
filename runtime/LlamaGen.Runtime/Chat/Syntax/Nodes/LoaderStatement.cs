namespace LlamaGen.Chat.Syntax;

/// <summary><c>extends</c>, <c>include</c>, <c>import</c> or <c>from ... import</c>: they need a template loader, which a chat template has none of.</summary>
internal sealed record LoaderStatement(SourcePosition Position, Expression Template) : Statement(Position);
