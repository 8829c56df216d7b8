namespace LlamaGen.Chat.Syntax;

/// <summary><c>{% break %}</c> (loop controls).</summary>
internal sealed record BreakStatement(SourcePosition Position) : Statement(Position);
