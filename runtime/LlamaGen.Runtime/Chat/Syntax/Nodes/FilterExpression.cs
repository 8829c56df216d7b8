namespace LlamaGen.Chat.Syntax;

/// <summary><c>target | name(arguments)</c>; the target is null for the filter of a filter block or set block, which filters the body.</summary>
internal sealed record FilterExpression(SourcePosition Position, Expression? Target, string Name, CallArguments Arguments) : Expression(Position);
