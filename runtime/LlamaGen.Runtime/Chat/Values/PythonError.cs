namespace LlamaGen.Chat.Values;

/// <summary>
/// A Python or jinja2 exception raised while evaluating, before its template position is known: the evaluator turns it
/// into a <see cref="ChatTemplateException"/> at the innermost expression or statement that was running.
/// </summary>
internal sealed class PythonError(ChatTemplateErrorKind kind, string description) : Exception(description)
{
    public ChatTemplateErrorKind Kind { get; } = kind;

    public string Description { get; } = description;

    public static PythonError Type(string message) => new(ChatTemplateErrorKind.Type, message);

    public static PythonError Value(string message) => new(ChatTemplateErrorKind.Value, message);
}
