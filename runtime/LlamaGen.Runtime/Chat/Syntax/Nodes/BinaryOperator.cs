namespace LlamaGen.Chat.Syntax;

/// <summary>Infix operators other than comparisons and <c>~</c>.</summary>
internal enum BinaryOperator { Add, Subtract, Multiply, Divide, FloorDivide, Modulo, Power, And, Or }
