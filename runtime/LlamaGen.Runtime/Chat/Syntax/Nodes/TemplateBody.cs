namespace LlamaGen.Chat.Syntax;

/// <summary>A parsed template: its statements and where its text ends.</summary>
internal sealed record TemplateBody(IReadOnlyList<Statement> Statements);
