using System.Text.Json.Nodes;

namespace LlamaGen.Chat;

/// <summary>
/// One message of a conversation as chat templates see it (<c>message.role</c>, <c>message.content</c>, and for tool use
/// <c>tool_calls</c>, <c>tool_call_id</c>, <c>name</c>). Messages may equally be passed as JSON objects or dictionaries;
/// this record is a convenience for the common fields.
/// </summary>
/// <param name="Role">"system", "user", "assistant", "tool", ...</param>
/// <param name="Content">The text; null leaves <c>content</c> as None (an assistant message with only tool calls).</param>
public sealed record ChatMessage(string Role, string? Content)
{
    /// <summary>The tool calls of an assistant message (a JSON array, passed to the template as it is).</summary>
    public JsonNode? ToolCalls { get; init; }

    /// <summary>The id of the tool call a tool message answers.</summary>
    public string? ToolCallId { get; init; }

    /// <summary>The name of the tool that produced a tool message.</summary>
    public string? Name { get; init; }

    /// <summary>The message as the dictionary a template receives: only the fields that are set, besides role and content.</summary>
    public IReadOnlyDictionary<string, object?> ToDictionary()
    {
        var fields = new Dictionary<string, object?> { ["role"] = Role, ["content"] = Content };
        if (ToolCalls is not null)
            fields["tool_calls"] = ToolCalls;
        if (ToolCallId is not null)
            fields["tool_call_id"] = ToolCallId;
        if (Name is not null)
            fields["name"] = Name;
        return fields;
    }
}
