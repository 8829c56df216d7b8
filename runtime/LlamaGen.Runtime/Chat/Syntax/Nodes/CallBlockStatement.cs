namespace LlamaGen.Chat.Syntax;

/// <summary><c>{% call(parameters) macro(arguments) %}body{% endcall %}</c>: the body becomes the <c>caller</c> macro.</summary>
internal sealed record CallBlockStatement(SourcePosition Position, CallExpression Call, MacroSignature Signature, IReadOnlyList<Statement> Body) : Statement(Position);
