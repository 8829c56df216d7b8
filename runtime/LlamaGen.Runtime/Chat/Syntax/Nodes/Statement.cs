namespace LlamaGen.Chat.Syntax;

/// <summary>A statement: writes output or changes variables.</summary>
internal abstract record Statement(SourcePosition Position) : Node(Position);
