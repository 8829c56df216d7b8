using System.Globalization;
using System.Text;
using System.Text.Json;
using LlamaGen.Inference;
using Microsoft.Extensions.AI;
using LlamaChatMessage = LlamaGen.Chat.ChatMessage;

namespace LlamaGen.AI;

/// <summary>
/// Microsoft.Extensions.AI's request shapes in LlamaGen's terms: <see cref="ChatOptions"/> to <see cref="GenerationOptions"/>
/// and messages to template messages. Whatever the engine cannot honour raises <see cref="NotSupportedException"/> naming
/// it; nothing is silently ignored.
/// </summary>
internal static class ChatOptionsTranslator
{
    /// <summary>The keys of <see cref="ChatOptions.AdditionalProperties"/> understood, as llama.cpp's server names them.</summary>
    public static readonly string[] AdditionalKeys = ["min_p", "repeat_penalty", "repeat_last_n"];

    public static GenerationOptions Generation(ChatOptions? options, GenerationOptions defaults, string modelId, IChatClient client)
    {
        if (options is null) return defaults;
        if (options.Tools is { Count: > 0 })
            throw new NotSupportedException($"ChatOptions.Tools ({options.Tools.Count} tool(s)): LlamaGen does not call tools yet; remove them or use a client that does.");
        if (options.ToolMode is RequiredChatToolMode)
            throw new NotSupportedException("ChatOptions.ToolMode requires a tool call: LlamaGen does not call tools yet.");
        if (options.ResponseFormat is ChatResponseFormatJson json)
            throw new NotSupportedException(json.Schema is null
                ? "ChatOptions.ResponseFormat JSON: LlamaGen does not constrain output to JSON yet."
                : $"ChatOptions.ResponseFormat JSON schema{(json.SchemaName is null ? "" : $" '{json.SchemaName}'")}: LlamaGen does not constrain output to a schema yet.");
        if (options.AllowBackgroundResponses is true)
            throw new NotSupportedException("ChatOptions.AllowBackgroundResponses: LlamaGen answers in the foreground only.");
        if (options.ContinuationToken is not null)
            throw new NotSupportedException("ChatOptions.ContinuationToken: LlamaGen has no background responses to continue.");
        if (options.Reasoning is not null)
            throw new NotSupportedException("ChatOptions.Reasoning: LlamaGen's models have no reasoning options.");
        if (options.ModelId is { } requested && !string.Equals(requested, modelId, StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"ChatOptions.ModelId '{requested}': this client serves '{modelId}' only.", nameof(options));

        GenerationOptions generation = options.RawRepresentationFactory?.Invoke(client) as GenerationOptions ?? defaults;
        var sampling = generation.Sampling;
        if (options.Temperature is float temperature) sampling = sampling with { Temperature = temperature };
        if (options.TopP is float topP) sampling = sampling with { TopP = topP };
        if (options.TopK is int topK) sampling = sampling with { TopK = topK };
        if (options.Seed is long seed) sampling = sampling with { Seed = unchecked((ulong)seed) };
        if (options.FrequencyPenalty is float frequency) sampling = sampling with { FrequencyPenalty = frequency };
        if (options.PresencePenalty is float presence) sampling = sampling with { PresencePenalty = presence };
        if (options.AdditionalProperties is { Count: > 0 } extra)
        {
            foreach (KeyValuePair<string, object?> entry in extra)
            {
                sampling = entry.Key switch
                {
                    "min_p" => sampling with { MinP = (float)Number(entry) },
                    "repeat_penalty" => sampling with { RepetitionPenalty = (float)Number(entry) },
                    "repeat_last_n" => sampling with { RepetitionWindow = checked((int)Number(entry)) },
                    _ => throw new NotSupportedException(
                        $"ChatOptions.AdditionalProperties[\"{entry.Key}\"]: not an option LlamaGen knows (it understands {string.Join(", ", AdditionalKeys)})."),
                };
            }
        }
        if (options.MaxOutputTokens is int max)
        {
            if (max < 1) throw new ArgumentOutOfRangeException(nameof(options), max, "ChatOptions.MaxOutputTokens must be >= 1.");
            generation = generation with { MaxNewTokens = max };
        }
        if (options.StopSequences is { Count: > 0 } stops) generation = generation with { StopStrings = [.. stops] };
        generation = generation with { Sampling = sampling };
        try
        {
            generation.Validate();
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"ChatOptions: {e.Message}", nameof(options), e);
        }
        return generation;
    }

    private static double Number(KeyValuePair<string, object?> entry) => entry.Value switch
    {
        double d => d,
        float f => f,
        int i => i,
        long l => l,
        decimal m => (double)m,
        JsonElement { ValueKind: JsonValueKind.Number } e => e.GetDouble(),
        string s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double parsed) => parsed,
        _ => throw new ArgumentException($"ChatOptions.AdditionalProperties[\"{entry.Key}\"] must be a number, not {entry.Value?.GetType().Name ?? "null"}."),
    };

    /// <summary>
    /// The messages as the template sees them (role, text, author name); <paramref name="instructions"/>
    /// (<see cref="ChatOptions.Instructions"/>) join the leading system message, or become one.
    /// </summary>
    public static List<LlamaChatMessage> Messages(IEnumerable<ChatMessage> messages, string? instructions)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var result = new List<LlamaChatMessage>();
        int index = 0;
        foreach (ChatMessage message in messages)
        {
            if (message is null) throw new ArgumentException($"messages[{index}] is null.", nameof(messages));
            if (!Chat.ChatSession.KnownRoles.Contains(message.Role.Value))
                throw new ArgumentException($"messages[{index}] has the unknown role '{message.Role.Value}': a message's role is one of {string.Join(", ", Chat.ChatSession.KnownRoles)}.", nameof(messages));
            result.Add(new LlamaChatMessage(message.Role.Value, Text(message, index)) { Name = message.AuthorName });
            index++;
        }
        if (!string.IsNullOrEmpty(instructions))
        {
            if (result.Count > 0 && result[0].Role == "system")
                result[0] = result[0] with { Content = result[0].Content + "\n\n" + instructions };
            else
                result.Insert(0, new LlamaChatMessage("system", instructions));
        }
        return result;
    }

    private static string Text(ChatMessage message, int index)
    {
        var text = new StringBuilder();
        foreach (AIContent content in message.Contents)
        {
            switch (content)
            {
                case TextContent t:
                    text.Append(t.Text);
                    break;
                case UsageContent:
                    break; // the counts of an earlier response, nothing the model reads
                default:
                    throw new NotSupportedException(
                        $"messages[{index}] ({message.Role}) holds {content.GetType().Name}: LlamaGen's models read text only{(content is FunctionCallContent or FunctionResultContent ? ", and do not call tools yet" : "")}.");
            }
        }
        return text.ToString();
    }

    public static ChatFinishReason FinishReason(StopReason reason) => reason switch
    {
        StopReason.MaxTokens or StopReason.ContextFull => ChatFinishReason.Length,
        _ => ChatFinishReason.Stop,
    };
}
