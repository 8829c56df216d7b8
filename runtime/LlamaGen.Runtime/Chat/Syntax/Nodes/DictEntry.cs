namespace LlamaGen.Chat.Syntax;

/// <summary>One <c>key: value</c> of a dict literal.</summary>
internal sealed record DictEntry(Expression Key, Expression Value);
