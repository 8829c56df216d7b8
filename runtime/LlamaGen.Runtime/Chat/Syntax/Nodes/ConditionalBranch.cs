namespace LlamaGen.Chat.Syntax;

/// <summary>One <c>if</c>/<c>elif</c> test with its body.</summary>
internal sealed record ConditionalBranch(Expression Test, IReadOnlyList<Statement> Body);
