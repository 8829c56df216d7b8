namespace LlamaGen.Chat.Syntax;

/// <summary>Prefix operators.</summary>
internal enum UnaryOperator { Negate, Plus, Not }
