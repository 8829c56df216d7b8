namespace LlamaGen.Chat.Syntax;

/// <summary>Literal template text between tags; unlike a string literal it is never escaped.</summary>
internal sealed record TemplateDataExpression(SourcePosition Position, string Text) : Expression(Position);
