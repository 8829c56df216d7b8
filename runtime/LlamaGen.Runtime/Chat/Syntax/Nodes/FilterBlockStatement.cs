namespace LlamaGen.Chat.Syntax;

/// <summary><c>{% filter name(arguments) | ... %}body{% endfilter %}</c>.</summary>
internal sealed record FilterBlockStatement(SourcePosition Position, FilterExpression Filter, IReadOnlyList<Statement> Body) : Statement(Position);
