namespace LlamaGen.Chat.Evaluation;

/// <summary>
/// Variables visible at one place of a template, looked up through the enclosing scopes. jinja2 gives a fresh scope to
/// every loop iteration, macro call, <c>with</c>, <c>filter</c> and set block, so assignments inside them do not leak
/// out; <c>if</c> has none. Macros keep the scope they were defined in and see its variables as they are when called.
/// </summary>
internal sealed class Scope(Scope? parent)
{
    private Dictionary<string, object?>? _variables;

    public Scope? Parent { get; } = parent;

    public bool TryGet(string name, out object? value)
    {
        for (Scope? scope = this; scope is not null; scope = scope.Parent)
        {
            if (scope._variables is not null && scope._variables.TryGetValue(name, out value))
                return true;
        }
        value = null;
        return false;
    }

    public void Set(string name, object? value) => (_variables ??= new Dictionary<string, object?>(StringComparer.Ordinal))[name] = value;
}
