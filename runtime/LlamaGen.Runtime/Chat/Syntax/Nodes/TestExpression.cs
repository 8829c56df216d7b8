namespace LlamaGen.Chat.Syntax;

/// <summary><c>target is name(arguments)</c> (a negated test is wrapped in <c>not</c>).</summary>
internal sealed record TestExpression(SourcePosition Position, Expression Target, string Name, CallArguments Arguments) : Expression(Position);
