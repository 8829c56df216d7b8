using LlamaGen.Chat.Python;
using LlamaGen.Chat.Syntax;
using LlamaGen.Chat.Values;

namespace LlamaGen.Chat.Evaluation;

/// <summary>
/// Renders a parsed template by walking its syntax tree with jinja2's semantics under Hugging Face's
/// <c>ImmutableSandboxedEnvironment</c>. The template reaches nothing but the values it was given, the globals and the
/// filters, tests and methods implemented here; every step is counted against <see cref="ExecutionBudget"/>.
/// One instance renders once and is not thread-safe.
/// </summary>
internal sealed partial class TemplateRenderer
{
    private readonly Scope _templateScope;
    private bool _autoescape;

    public TemplateRenderer(ExecutionBudget budget, DateTime now, IEnumerable<KeyValuePair<string, object?>> variables)
    {
        Budget = budget;
        Now = now;
        var globals = new Scope(null);
        Builtins.BuiltinGlobals.AddTo(globals);
        var context = new Scope(globals);
        foreach (var variable in variables)
            context.Set(variable.Key, variable.Value);
        _templateScope = new Scope(context);
    }

    public ExecutionBudget Budget { get; }

    /// <summary>The naive local time <c>strftime_now</c> formats.</summary>
    public DateTime Now { get; }

    public string Render(TemplateBody template)
    {
        var output = new OutputBuffer(Budget, isFinalOutput: true);
        Execute(template.Statements, _templateScope, output);
        return output.ToString();
    }

    /// <summary>Gives a Python error the template position of the construct that raised it.</summary>
    private static ChatTemplateException AtPosition(PythonError error, SourcePosition position) =>
        new(error.Kind, error.Description, position.Line, position.Column, error);

    /// <summary>str() of a value as <c>{{ }}</c> writes it, escaped when autoescaping is on and it is not Markup.</summary>
    private string ToOutput(object? value)
    {
        if (_autoescape && value is not Markup)
            return HtmlEscape.Escape(PythonRepr.Str(value));
        return PythonRepr.Str(value);
    }

    /// <summary>A value a macro or block returns: Markup when autoescaping, so it is not escaped twice.</summary>
    private object Captured(string text) => _autoescape ? new Markup(text) : text;
}
