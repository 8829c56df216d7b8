using LlamaGen.Chat.Python;

namespace LlamaGen.Chat.Values;

/// <summary>
/// jinja2's default <c>Undefined</c>: prints as nothing, iterates as empty, is false and equals only another undefined;
/// anything else done with it (attributes, items, arithmetic, calls, comparisons) raises with the message that says how
/// it came about (<c>'x' is undefined</c>, <c>'dict object' has no attribute 'x'</c>, or a hint such as the sandbox's).
/// </summary>
internal sealed class Undefined
{
    // Stands for jinja2's `missing`: the undefined did not come from looking something up on an object.
    private static readonly object NoObject = new();

    private readonly string? _hint;
    private readonly object? _object;
    private readonly object? _name;

    private Undefined(string? hint, object? obj, object? name, ChatTemplateErrorKind kind)
    {
        _hint = hint;
        _object = obj;
        _name = name;
        ErrorKind = kind;
    }

    public ChatTemplateErrorKind ErrorKind { get; }

    /// <summary>A name that is not defined.</summary>
    public static Undefined ForName(string name) => new(null, NoObject, name, ChatTemplateErrorKind.Undefined);

    /// <summary>An attribute or item <paramref name="name"/> that <paramref name="obj"/> does not have.</summary>
    public static Undefined ForMember(object? obj, object? name) => new(null, obj, name, ChatTemplateErrorKind.Undefined);

    /// <summary>An undefined with its own message, such as "No first item, sequence was empty.".</summary>
    public static Undefined WithHint(string hint, ChatTemplateErrorKind kind = ChatTemplateErrorKind.Undefined) =>
        new(hint, NoObject, null, kind);

    /// <summary>The message jinja2's <c>_undefined_message</c> builds.</summary>
    public string Message
    {
        get
        {
            if (!string.IsNullOrEmpty(_hint))
                return _hint;
            if (ReferenceEquals(_object, NoObject))
                return $"{PythonRepr.Repr(_name)} is undefined";
            if (_name is not string)
                return $"{PythonOps.ObjectTypeRepr(_object)} has no element {PythonRepr.Repr(_name)}";
            return $"{PythonRepr.ReprString(PythonOps.ObjectTypeRepr(_object))} has no attribute {PythonRepr.Repr(_name)}";
        }
    }

    public PythonError Fail() => new(ErrorKind, Message);
}
