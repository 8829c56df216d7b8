namespace LlamaGen.Chat.Syntax;

/// <summary>Comparison operators; they chain as in Python.</summary>
internal enum CompareOperator { Equal, NotEqual, Less, LessOrEqual, Greater, GreaterOrEqual, In, NotIn }
