namespace LlamaGen.Chat.Syntax;

/// <summary><c>{% for target in iterable [if filter] [recursive] %}...{% else %}...{% endfor %}</c>.</summary>
internal sealed record ForStatement(SourcePosition Position, Expression Target, Expression Iterable, Expression? Filter, bool Recursive, IReadOnlyList<Statement> Body, IReadOnlyList<Statement> Else) : Statement(Position);
