using LlamaGen.Chat.Evaluation;

namespace LlamaGen.Chat.Values;

/// <summary>A global function: <c>range</c>, <c>dict</c>, <c>namespace</c>, <c>cycler</c>, <c>joiner</c>, <c>raise_exception</c>, <c>strftime_now</c>.</summary>
internal sealed class BuiltinFunction(string name, string pythonTypeName, Func<TemplateRenderer, CallArgs, object?> invoke)
{
    public string Name { get; } = name;

    /// <summary>What Python calls the object (<c>function</c>, <c>type</c>...), for <c>'x object'</c> messages.</summary>
    public string PythonTypeName { get; } = pythonTypeName;

    public Func<TemplateRenderer, CallArgs, object?> Invoke { get; } = invoke;
}
