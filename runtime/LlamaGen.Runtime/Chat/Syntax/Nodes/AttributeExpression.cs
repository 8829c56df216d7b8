namespace LlamaGen.Chat.Syntax;

/// <summary><c>target.name</c>: attribute first, then item, as jinja2's <c>getattr</c> does.</summary>
internal sealed record AttributeExpression(SourcePosition Position, Expression Target, string Name) : Expression(Position);
