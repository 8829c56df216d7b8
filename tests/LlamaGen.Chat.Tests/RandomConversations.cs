using System.Text;
using System.Text.Json.Nodes;

namespace LlamaGen.Chat.Tests;

/// <summary>
/// Seeded random conversations: an optional system message and one to five exchanges, sometimes ending with the assistant,
/// with contents drawn from words, whitespace of every kind (leading, trailing, tabs, newlines, Python-only spaces such as
/// U+001F and U+3000), unicode across the planes, and fragments of template syntax and special tokens.
/// </summary>
public static class RandomConversations
{
    private static readonly string[] Pieces =
    [
        "hello", "world", "What", "is", "the", "capital", "of", "France?", "42", "3.14", "x", "yes", "no",
        " ", "  ", "\t", "\n", "\n\n", "\r\n", " \t ", "\u00a0", "\u2003", "\u3000", "\u001f", "\u000b", "\u000c", "\u2028", "\u0085",
        "é", "ß", "ǆ", "ﬁ", "Σ", "ΣΑΣ", "İ", "日本語", "한국어", "עברית", "العربية", "😀", "👍🏽", "🇫🇷", "𝔘", "\u0301", "\u200b", "\ufeff",
        "{{", "}}", "{%", "%}", "{#", "#}", "{{ x }}", "{% if %}", "-%}", "{%-", "<s>", "</s>", "[INST]", "[/INST]", "<<SYS>>",
        "<|im_start|>", "<|im_end|>", "<|eot_id|>", "<|start_header_id|>", "\\", "\\n", "'", "\"", "%s", "{0}", "```", "\\u00e9",
    ];

    public static JsonArray Next(Random random)
    {
        var messages = new JsonArray();
        if (random.Next(3) == 0)
            messages.Add(Message("system", Content(random)));
        int exchanges = random.Next(1, 6);
        bool endWithAssistant = random.Next(4) == 0;
        for (int i = 0; i < exchanges; i++)
        {
            messages.Add(Message("user", Content(random)));
            if (i < exchanges - 1 || endWithAssistant)
                messages.Add(Message("assistant", Content(random)));
        }
        return messages;
    }

    private static JsonObject Message(string role, string content) => new() { ["role"] = role, ["content"] = content };

    private static string Content(Random random)
    {
        var text = new StringBuilder();
        int count = random.Next(0, 12);
        for (int i = 0; i < count; i++)
        {
            text.Append(Pieces[random.Next(Pieces.Length)]);
            if (random.Next(3) > 0)
                text.Append(' ');
        }
        return text.ToString();
    }
}
