namespace LlamaGen.Chat.Syntax;

/// <summary>A dict literal <c>{'a': 1}</c>.</summary>
internal sealed record DictExpression(SourcePosition Position, IReadOnlyList<DictEntry> Entries) : Expression(Position);
