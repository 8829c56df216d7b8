namespace LlamaGen.Chat.Syntax;

/// <summary>A variable name (loaded, or assigned when it is a target).</summary>
internal sealed record NameExpression(SourcePosition Position, string Name) : Expression(Position);
