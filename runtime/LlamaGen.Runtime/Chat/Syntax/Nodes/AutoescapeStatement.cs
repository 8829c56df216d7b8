namespace LlamaGen.Chat.Syntax;

/// <summary><c>{% autoescape value %}body{% endautoescape %}</c>.</summary>
internal sealed record AutoescapeStatement(SourcePosition Position, Expression Enabled, IReadOnlyList<Statement> Body) : Statement(Position);
