namespace LlamaGen.Chat.Syntax;

/// <summary>A node of the syntax tree, with where it starts in the template.</summary>
internal abstract record Node(SourcePosition Position);
