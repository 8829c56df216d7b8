using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using LlamaGen.Chat.Evaluation;
using LlamaGen.Chat.Syntax;
using LlamaGen.Chat.Values;

namespace LlamaGen.Chat;

/// <summary>
/// A Jinja chat template (a GGUF's <c>tokenizer.chat_template</c>), parsed once and rendered with the semantics of
/// Hugging Face's <c>apply_chat_template</c>: jinja2's <c>ImmutableSandboxedEnvironment</c> with <c>trim_blocks</c>,
/// <c>lstrip_blocks</c>, loop controls, <c>raise_exception</c>, <c>strftime_now</c> and the <c>tojson</c> override.
/// Templates are untrusted input: rendering reaches only the values passed in and is bounded by
/// <see cref="ChatTemplateLimits"/>. Instances are immutable and thread-safe.
/// </summary>
public sealed class ChatTemplate
{
    private readonly TemplateBody _body;

    private ChatTemplate(string source, TemplateBody body, ChatTemplateLimits limits)
    {
        Source = source;
        _body = body;
        Limits = limits;
    }

    /// <summary>The template text as given.</summary>
    public string Source { get; }

    /// <summary>The limits every render is held to.</summary>
    public ChatTemplateLimits Limits { get; }

    /// <summary>Parses a template, with jinja2's syntax errors and compile-time checks (unknown filters and tests...).</summary>
    /// <exception cref="ChatTemplateException">The template is malformed; the exception names the line and column.</exception>
    public static ChatTemplate Parse(string source, ChatTemplateLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        limits ??= ChatTemplateLimits.Default;
        TemplateBody body = TemplateParser.Parse(source, limits.MaxDepth);
        TemplateChecker.Check(body);
        return new ChatTemplate(source, body, limits);
    }

    /// <summary>Renders the template with these variables (<c>messages</c>, <c>bos_token</c>, <c>add_generation_prompt</c>, ...).</summary>
    /// <param name="variables">Names and values: JSON nodes or elements, strings, booleans, numbers, lists, dictionaries, <see cref="ChatMessage"/>s.</param>
    /// <param name="clock">The clock <c>strftime_now</c> reads (its local time, as Python's <c>datetime.now()</c>); the system clock when null.</param>
    /// <param name="cancellationToken">Stops a long render with a <see cref="ChatTemplateErrorKind.LimitExceeded"/> error.</param>
    /// <exception cref="ChatTemplateException">The template raised, failed as jinja2 would, or exceeded a limit.</exception>
    /// <exception cref="ArgumentException">A variable holds a value that cannot be given to a template.</exception>
    public string Render(IEnumerable<KeyValuePair<string, object?>> variables, TimeProvider? clock = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(variables);
        var converted = variables.Select(v => new KeyValuePair<string, object?>(v.Key, TemplateValueConverter.Convert(v.Value))).ToList();
        DateTime now = (clock ?? TimeProvider.System).GetLocalNow().DateTime;
        var renderer = new TemplateRenderer(new ExecutionBudget(Limits, cancellationToken), now, converted);
        try
        {
            return renderer.Render(_body);
        }
        catch (PythonError error)
        {
            throw new ChatTemplateException(error.Kind, error.Description, 0, 0, error);
        }
        catch (InsufficientExecutionStackException e)
        {
            throw new ChatTemplateException(ChatTemplateErrorKind.LimitExceeded, "the template nests too deeply for the thread's stack", 0, 0, e);
        }
        catch (RegexMatchTimeoutException e)
        {
            throw new ChatTemplateException(ChatTemplateErrorKind.LimitExceeded, "wordwrap took too long on this text", 0, 0, e);
        }
    }

    /// <summary>Renders with the members of a JSON object as the variables.</summary>
    public string Render(JsonObject variables, TimeProvider? clock = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(variables);
        return Render(variables.Select(v => new KeyValuePair<string, object?>(v.Key, v.Value)), clock, cancellationToken);
    }
}
