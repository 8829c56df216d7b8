namespace LlamaGen.Chat.Syntax;

/// <summary>An expression: evaluates to a value.</summary>
internal abstract record Expression(SourcePosition Position) : Node(Position);
