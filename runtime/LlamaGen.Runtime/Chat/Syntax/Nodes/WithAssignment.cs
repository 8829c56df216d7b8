namespace LlamaGen.Chat.Syntax;

/// <summary>One <c>target = value</c> of a with statement.</summary>
internal sealed record WithAssignment(Expression Target, Expression Value);
