namespace LlamaGen.Chat.Syntax;

/// <summary><c>callee(arguments)</c>.</summary>
internal sealed record CallExpression(SourcePosition Position, Expression Callee, CallArguments Arguments) : Expression(Position);
