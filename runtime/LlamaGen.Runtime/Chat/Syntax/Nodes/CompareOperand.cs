namespace LlamaGen.Chat.Syntax;

/// <summary>One <c>op operand</c> step of a comparison chain.</summary>
internal sealed record CompareOperand(CompareOperator Operator, Expression Operand);
