using System.Text.Json.Nodes;

namespace LlamaGen.Chat.Tests;

/// <summary>
/// Conversations written for the fixture templates: with and without a system message, one to five turns, unicode,
/// tabs and newlines, spaces at the ends, text that looks like template markers and special tokens, empty content,
/// roles out of order, and tool definitions, tool calls and tool results for the tool-use templates.
/// </summary>
public static class Conversations
{
    public sealed record Conversation(string Name, JsonArray Messages, JsonArray? Tools = null, JsonObject? Extra = null, JsonArray? Documents = null);

    private static JsonObject Message(string role, string? content) => new() { ["role"] = role, ["content"] = content };

    private static JsonArray Of(params JsonObject[] messages) => new(messages.Cast<JsonNode?>().ToArray());

    private static JsonArray Turns(string? system, params string[] alternating)
    {
        var messages = new List<JsonObject>();
        if (system is not null)
            messages.Add(Message("system", system));
        for (int i = 0; i < alternating.Length; i++)
            messages.Add(Message(i % 2 == 0 ? "user" : "assistant", alternating[i]));
        return Of([.. messages]);
    }

    public static readonly JsonArray WeatherTools = JsonNode.Parse("""
        [
          {"type": "function", "function": {"name": "get_current_weather", "description": "Get the current weather in a given location",
            "parameters": {"type": "object", "properties": {
              "location": {"type": "string", "description": "The city and state, e.g. San Francisco, CA"},
              "unit": {"type": "string", "enum": ["celsius", "fahrenheit"], "description": "The unit to use"}},
              "required": ["location"]}}},
          {"type": "function", "function": {"name": "search", "description": "Search the web for \"anything\" — ünïcode too.",
            "parameters": {"type": "object", "properties": {
              "query": {"type": "string", "description": "What to look for"},
              "max_results": {"type": "integer", "description": "How many results", "default": 5, "minimum": 1, "maximum": 50},
              "sites": {"type": "array", "items": {"type": "string"}, "description": "Sites to search"},
              "safe": {"type": "boolean", "description": "Safe search"},
              "options": {"type": "object", "description": "More options", "additionalProperties": {"type": "number"},
                          "properties": {"lang": {"type": "string", "description": "Language", "examples": ["en", "fr"]}}}},
              "required": ["query"]}, "return": {"type": "array", "description": "The results"}}}
        ]
        """)!.AsArray();

    // A parameter typed ["boolean", "null"] sends the Command R+ and Hermes templates into endless recursion (they
    // recurse into each character of "null"): jinja2 ends with RecursionError, we with the depth limit.
    public static readonly JsonArray UnionTypedTools = JsonNode.Parse("""
        [{"type": "function", "function": {"name": "toggle", "description": "Toggle",
          "parameters": {"type": "object", "properties": {"on": {"type": ["boolean", "null"], "description": "State"}}, "required": []}}}]
        """)!.AsArray();

    private static JsonObject ToolCall(string id, string name, string argumentsJson, bool argumentsAsString = false)
    {
        JsonNode arguments = argumentsAsString ? JsonValue.Create(argumentsJson)! : JsonNode.Parse(argumentsJson)!;
        return new JsonObject
        {
            ["id"] = id,
            ["type"] = "function",
            ["function"] = new JsonObject { ["name"] = name, ["arguments"] = arguments },
        };
    }

    private static JsonObject AssistantWithCalls(string? content, params JsonObject[] calls) => new()
    {
        ["role"] = "assistant",
        ["content"] = content,
        ["tool_calls"] = new JsonArray(calls.Cast<JsonNode?>().ToArray()),
    };

    private static JsonObject ToolResult(string id, string name, string content) => new()
    {
        ["role"] = "tool",
        ["tool_call_id"] = id,
        ["name"] = name,
        ["content"] = content,
    };

    /// <summary>Conversations every template should take (some templates still refuse some of them, as jinja2 does).</summary>
    public static IEnumerable<Conversation> Plain()
    {
        yield return new("one user turn", Turns(null, "Hello!"));
        yield return new("system and user", Turns("You are a helpful assistant.", "What is the capital of France?"));
        yield return new("two turns", Turns(null, "Hi", "Hello! How can I help?", "Tell me a joke."));
        yield return new("system and three turns", Turns("Be brief.", "One?", "1", "Two?", "2", "Three?"));
        yield return new("five turns", Turns(null, "q1", "a1", "q2", "a2", "q3", "a3", "q4", "a4", "q5"));
        yield return new("five turns with system, ending with the assistant",
            Turns("System prompt.", "q1", "a1", "q2", "a2", "q3", "a3", "q4", "a4", "q5", "a5"));
        yield return new("ends with the assistant", Turns(null, "Question", "Answer"));
        yield return new("unicode", Turns("Réponds en français. 日本語もOK. עברית. 🤖",
            "Ça va? 😀👍🏽 — “quotes” … ñ ß ǆ ﬁ Σ", "Très bien! 🎉 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 \u200b\u00a0nbsp", "Encore? 🇫🇷"));
        yield return new("tabs and newlines", Turns("Line 1\nLine 2\n\n\tindented",
            "Code:\n```python\ndef f():\n\treturn 1\n```\n", "\n\nStarts with newlines", "ends with newlines\n\n"));
        yield return new("leading and trailing spaces", Turns("   padded system   ", "  user with spaces  ", "\t assistant \t", " last "));
        yield return new("looks like template markers", Turns(null,
            "{{ messages }} {% if true %}x{% endif %} {# c #} {%- raw -%}", "<|im_start|>assistant\n<|im_end|> [INST] [/INST] <<SYS>> <s> </s>",
            "<|start_header_id|>user<|end_header_id|> <|eot_id|> <start_of_turn> <|END_OF_TURN_TOKEN|> %s %(x)s {0} \\n \\\\"));
        yield return new("quotes and backslashes", Turns("It's \"quoted\" and 'single'", "C:\\path\\to\\file \\\" \\'", "back\\slash"));
        yield return new("empty contents", Turns("", "", "", ""));
        yield return new("only a system message", Turns("Just a system prompt."));
        yield return new("no messages", new JsonArray());
        yield return new("long content", Turns(null, string.Concat(Enumerable.Repeat("The quick brown fox jumps over the lazy dog. ", 200)), "ok", "more"));
        yield return new("roles do not alternate", Of(Message("user", "first"), Message("user", "second")));
        yield return new("starts with the assistant", Of(Message("assistant", "I speak first"), Message("user", "ok")));
        yield return new("system in the middle", Of(Message("user", "u1"), Message("assistant", "a1"), Message("system", "late system"), Message("user", "u2")));
        yield return new("two system messages", Of(Message("system", "s1"), Message("system", "s2"), Message("user", "u")));
        yield return new("unknown role", Of(Message("user", "u"), Message("narrator", "n")));
        yield return new("date string and extras", Turns("Sys", "What day is it?"),
            Extra: new JsonObject { ["date_string"] = "01 Jan 2030", ["custom_flag"] = true });
        yield return new("multi-line system with trailing spaces", Turns("  You are\n  a bot.  \n\n", "   hi   ", "   hello   ", "  bye  "));
        yield return new("mixed scripts and combining marks", Turns(null, "e\u0301 a\u0308 한국어 ไทย العربية हिन्दी", "ok\u0301", "Ω≈ç√∫˜µ≤≥÷"));
        yield return new("numbers-like content", Turns(null, "1", "2.0", "1e5", "None"));
        yield return new("content as a list of parts", Of(
            new JsonObject { ["role"] = "system", ["content"] = JsonNode.Parse("""[{"type": "text", "text": "System in parts."}]""") },
            new JsonObject { ["role"] = "user", ["content"] = JsonNode.Parse("""[{"type": "text", "text": "Look at "}, {"type": "image_url", "image_url": {"url": "http://x/y.png"}}, {"type": "text", "text": " this."}]""") },
            new JsonObject { ["role"] = "assistant", ["content"] = JsonNode.Parse("""[{"type": "text", "text": "A cat."}]""") },
            Message("user", "And now?")));
        yield return new("reasoning in the answer", Of(
            Message("user", "Think first."),
            new JsonObject { ["role"] = "assistant", ["content"] = "<think>\nstep 1\nstep 2\n</think>\n\nThe answer is 4.", ["reasoning_content"] = "step 1, step 2" },
            Message("user", "Again?")));
    }

    /// <summary>Conversations with tools, tool calls and tool results, for the tool-use templates.</summary>
    public static IEnumerable<Conversation> ToolUse()
    {
        yield return new("tools with one user turn", Turns(null, "What's the weather in Paris?"), WeatherTools);
        yield return new("tools with a system message", Turns("You can call tools.", "Find news about 🚀 launches"), WeatherTools);
        yield return new("tool call and result", Of(
            Message("user", "What's the weather in Paris?"),
            AssistantWithCalls(null, ToolCall("call12345", "get_current_weather", """{"location": "Paris, France", "unit": "celsius"}""")),
            ToolResult("call12345", "get_current_weather", """{"temperature": 22.5, "condition": "sunny"}"""),
            Message("assistant", "It is sunny and 22.5 °C in Paris.")), WeatherTools);
        yield return new("tool call with content and string arguments", Of(
            Message("user", "Search for cats"),
            AssistantWithCalls("Let me search.", ToolCall("abcdefghi", "search", """{"query": "cats", "max_results": 3}""", argumentsAsString: true)),
            ToolResult("abcdefghi", "search", "[\"cat1\", \"cat2\"]"),
            Message("user", "Thanks! And dogs?")), WeatherTools);
        yield return new("two parallel tool calls", Of(
            Message("system", "Use tools when needed."),
            Message("user", "Weather in Paris and Rome?"),
            AssistantWithCalls(null,
                ToolCall("call00001", "get_current_weather", """{"location": "Paris"}"""),
                ToolCall("call00002", "get_current_weather", """{"location": "Rome", "unit": "fahrenheit"}""")),
            ToolResult("call00001", "get_current_weather", "15 C"),
            ToolResult("call00002", "get_current_weather", "70 F")), WeatherTools);
        yield return new("tool call with nested arguments", Of(
            Message("user", "Search"),
            AssistantWithCalls("", ToolCall("call77777", "search", """{"query": "x", "sites": ["a.com", "b.org"], "options": {"lang": "en", "weights": [1.5, 2]}, "safe": null}""")),
            ToolResult("call77777", "search", "nothing found")), WeatherTools);
        yield return new("ipython result", Of(
            Message("user", "Compute"),
            AssistantWithCalls(null, ToolCall("call99999", "search", """{"query": "2+2"}""")),
            new JsonObject { ["role"] = "ipython", ["content"] = "4" }), WeatherTools);
        yield return new("tool result as JSON object content", Of(
            Message("user", "Weather?"),
            AssistantWithCalls(null, ToolCall("call55555", "get_current_weather", """{"location": "Oslo"}""")),
            new JsonObject { ["role"] = "tool", ["tool_call_id"] = "call55555", ["content"] = JsonNode.Parse("""{"temp": -3, "sky": "snow"}""") }), WeatherTools);
        yield return new("tools but no messages", new JsonArray(), WeatherTools);
        yield return new("empty tools list", Turns(null, "Hello"), new JsonArray());
        yield return new("tool parameter with a union type", Turns(null, "Toggle it"), UnionTypedTools);
        yield return new("documents for retrieval", Turns("Answer from the documents.", "When was the bridge built?"), WeatherTools,
            Documents: JsonNode.Parse("""[{"title": "Bridge", "text": "Built in 1932 — the old one."}, {"url": "http://x/2", "snippet": "Repainted in 2001.", "score": 0.5}]""")!.AsArray());
        yield return new("tool call id of the wrong length", Of(
            Message("user", "Weather?"),
            AssistantWithCalls(null, ToolCall("short", "get_current_weather", """{"location": "Oslo"}"""))), WeatherTools);
    }

    /// <summary>The BOS and EOS texts of each fixture model's tokenizer.</summary>
    public static (string Bos, string Eos) SpecialTokens(string template) => template switch
    {
        _ when template.Contains("Llama-2") => ("<s>", "</s>"),
        _ when template.Contains("Llama-3") || template.Contains("Hermes") || template.Contains("functionary") => ("<|begin_of_text|>", "<|eot_id|>"),
        _ when template.Contains("Qwen") => ("", "<|im_end|>"),
        _ when template.Contains("gemma") => ("<bos>", "<eos>"),
        _ when template.Contains("Phi-3") => ("<s>", "<|endoftext|>"),
        _ when template.Contains("command-r") => ("<BOS_TOKEN>", "<|END_OF_TURN_TOKEN|>"),
        _ => ("<s>", "</s>"),
    };

    /// <summary>
    /// The variables Hugging Face's <c>apply_chat_template</c> renders with: messages, tools and documents (None when not
    /// given), add_generation_prompt, the special tokens, then any extra keyword arguments.
    /// </summary>
    public static JsonObject Variables(Conversation conversation, string template, bool addGenerationPrompt)
    {
        var (bos, eos) = SpecialTokens(template);
        var variables = new JsonObject
        {
            ["messages"] = conversation.Messages.DeepClone(),
            ["tools"] = conversation.Tools?.DeepClone(),
            ["documents"] = conversation.Documents?.DeepClone(),
            ["add_generation_prompt"] = addGenerationPrompt,
            ["bos_token"] = bos,
            ["eos_token"] = eos,
        };
        if (conversation.Extra is not null)
            foreach (var extra in conversation.Extra)
                variables[extra.Key] = extra.Value?.DeepClone();
        return variables;
    }
}
