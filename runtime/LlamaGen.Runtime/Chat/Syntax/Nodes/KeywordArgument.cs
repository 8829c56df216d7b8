namespace LlamaGen.Chat.Syntax;

/// <summary><c>name=value</c> in a call.</summary>
internal sealed record KeywordArgument(string Name, Expression Value);
