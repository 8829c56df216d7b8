namespace LlamaGen.Chat.Evaluation;

/// <summary>
/// Variables visible at one place of a template, looked up through the enclosing scopes. jinja2 gives a fresh scope to
/// every loop iteration, macro call, <c>with</c>, <c>filter</c> and set block, so assignments inside them do not leak
/// out; <c>if</c> has none. Macros keep the scope they were defined in and see its variables as they are when called.
/// </summary>
internal sealed class Scope(Scope? parent)
{
    // Most scopes (a loop iteration: `loop` and the target) hold two or three names: kept inline, a dictionary beyond.
    private const int InlineSlots = 4;
    private readonly string?[] _names = new string?[InlineSlots];
    private readonly object?[] _values = new object?[InlineSlots];
    private Dictionary<string, object?>? _more;

    public Scope? Parent { get; } = parent;

    public bool TryGet(string name, out object? value)
    {
        for (Scope? scope = this; scope is not null; scope = scope.Parent)
        {
            if (scope.TryGetLocal(name, out value))
                return true;
        }
        value = null;
        return false;
    }

    private bool TryGetLocal(string name, out object? value)
    {
        for (int i = 0; i < InlineSlots; i++)
        {
            if (_names[i] is null)
                break;
            if (string.Equals(_names[i], name, StringComparison.Ordinal))
            {
                value = _values[i];
                return true;
            }
        }
        if (_more is not null)
            return _more.TryGetValue(name, out value);
        value = null;
        return false;
    }

    public void Set(string name, object? value)
    {
        for (int i = 0; i < InlineSlots; i++)
        {
            if (_names[i] is null)
            {
                _names[i] = name;
                _values[i] = value;
                return;
            }
            if (string.Equals(_names[i], name, StringComparison.Ordinal))
            {
                _values[i] = value;
                return;
            }
        }
        (_more ??= new Dictionary<string, object?>(StringComparer.Ordinal))[name] = value;
    }
}
