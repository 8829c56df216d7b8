namespace LlamaGen.Chat;

/// <summary>What besides the messages a chat prompt is rendered with.</summary>
public sealed record ChatPromptOptions
{
    /// <summary>End the prompt with the start of an assistant turn, so the model answers (<c>add_generation_prompt</c>).</summary>
    public bool AddGenerationPrompt { get; init; }

    /// <summary>Tool definitions (JSON schemas, as a JSON array or a list), passed to the template as <c>tools</c>; None when null.</summary>
    public object? Tools { get; init; }

    /// <summary>Documents for retrieval templates, passed as <c>documents</c>; None when null.</summary>
    public object? Documents { get; init; }

    /// <summary>More variables for the template (<c>date_string</c>, <c>tools_in_user_message</c>...); they override the others.</summary>
    public IReadOnlyDictionary<string, object?>? ExtraVariables { get; init; }

    /// <summary>The clock of <c>strftime_now</c>; the system clock when null.</summary>
    public TimeProvider? Clock { get; init; }
}
