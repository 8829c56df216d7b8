namespace LlamaGen.Chat.Syntax;

/// <summary><c>{% with a = 1, b = 2 %}body{% endwith %}</c>: a scope of its own.</summary>
internal sealed record WithStatement(SourcePosition Position, IReadOnlyList<WithAssignment> Assignments, IReadOnlyList<Statement> Body) : Statement(Position);
