namespace LlamaGen.Chat.Syntax;

/// <summary><c>{% set target [| filter] %}body{% endset %}</c>: the rendered body, filtered, assigned.</summary>
internal sealed record SetBlockStatement(SourcePosition Position, Expression Target, FilterExpression? Filter, IReadOnlyList<Statement> Body) : Statement(Position);
