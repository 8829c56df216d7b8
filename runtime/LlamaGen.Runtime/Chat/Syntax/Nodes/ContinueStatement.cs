namespace LlamaGen.Chat.Syntax;

/// <summary><c>{% continue %}</c> (loop controls).</summary>
internal sealed record ContinueStatement(SourcePosition Position) : Statement(Position);
