namespace LlamaGen.Chat;

/// <summary>
/// A chat template failed to parse or to render. <see cref="Description"/> is the text jinja2 gives for the same
/// failure; the <see cref="Exception.Message"/> adds the template line and column, except for
/// <c>raise_exception(message)</c>, whose message is exactly the template's text (it is meant for the user).
/// </summary>
public sealed class ChatTemplateException : Exception
{
    public ChatTemplateException(ChatTemplateErrorKind kind, string description, int line, int column, Exception? inner = null)
        : base(FormatMessage(kind, description, line, column), inner)
    {
        Kind = kind;
        Description = description;
        Line = line;
        Column = column;
    }

    /// <summary>What kind of failure this is.</summary>
    public ChatTemplateErrorKind Kind { get; }

    /// <summary>The failure as jinja2 words it (<c>str(exception)</c> in Python), without the location.</summary>
    public string Description { get; }

    /// <summary>The 1-based template line of the construct that failed (0 when unknown).</summary>
    public int Line { get; }

    /// <summary>The 1-based column of that construct on its line (0 when unknown).</summary>
    public int Column { get; }

    /// <summary>The name of the exception class jinja2 or Python raises for the same failure.</summary>
    public string PythonExceptionType => Kind switch
    {
        ChatTemplateErrorKind.Syntax => "TemplateSyntaxError",
        ChatTemplateErrorKind.Assertion => "TemplateAssertionError",
        ChatTemplateErrorKind.Raised => "TemplateError",
        ChatTemplateErrorKind.Undefined => "UndefinedError",
        ChatTemplateErrorKind.Security => "SecurityError",
        ChatTemplateErrorKind.Runtime => "TemplateRuntimeError",
        ChatTemplateErrorKind.FilterArgument => "FilterArgumentError",
        ChatTemplateErrorKind.Type => "TypeError",
        ChatTemplateErrorKind.Value => "ValueError",
        ChatTemplateErrorKind.ZeroDivision => "ZeroDivisionError",
        ChatTemplateErrorKind.Overflow => "OverflowError",
        ChatTemplateErrorKind.Index => "IndexError",
        ChatTemplateErrorKind.Key => "KeyError",
        ChatTemplateErrorKind.Attribute => "AttributeError",
        ChatTemplateErrorKind.PythonRuntime => "RuntimeError",
        ChatTemplateErrorKind.PythonAssertion => "AssertionError",
        ChatTemplateErrorKind.PythonSyntax => "SyntaxError",
        _ => "LimitExceeded",
    };

    private static string FormatMessage(ChatTemplateErrorKind kind, string description, int line, int column) =>
        kind == ChatTemplateErrorKind.Raised || line <= 0
            ? description
            : $"{description} (template line {line}, column {column})";
}
