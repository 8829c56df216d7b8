namespace LlamaGen.Chat.Syntax;

/// <summary><c>{% block name %}body{% endblock %}</c>: without inheritance, rendered in place in a scope of its own.</summary>
internal sealed record BlockStatement(SourcePosition Position, string Name, bool Scoped, IReadOnlyList<Statement> Body) : Statement(Position);
