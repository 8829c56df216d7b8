namespace LlamaGen.Chat.Evaluation;

/// <summary>How a statement list ended: normally, or by <c>{% break %}</c> / <c>{% continue %}</c> for the enclosing loop.</summary>
internal enum ControlFlow { Normal, Break, Continue }
