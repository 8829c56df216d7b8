using System.Text;
using LlamaGen.Chat.Python;
using LlamaGen.Tokenization;

namespace LlamaGen.Chat;

/// <summary>
/// Meta's Llama 2-Chat prompt format, for models whose file has no chat template: as the reference code's
/// <c>chat_completion</c> builds it, every finished exchange is <c>BOS [INST] user [/INST] answer EOS</c> (user and
/// answer stripped, single spaces around them), the open user turn <c>BOS [INST] user [/INST]</c>, and a system prompt
/// goes inside the first user turn as <c>&lt;&lt;SYS&gt;&gt;\n{system}\n&lt;&lt;/SYS&gt;&gt;\n\n</c>. The text form is what
/// the official Hugging Face template renders for the same conversation.
/// </summary>
public static class Llama2ChatFormat
{
    private const string BeginInstruction = "[INST]";
    private const string EndInstruction = "[/INST]";
    private const string BeginSystem = "<<SYS>>\n";
    private const string EndSystem = "\n<</SYS>>\n\n";
    private const string AlternationError = "Conversation roles must alternate user/assistant/user/assistant/...";

    /// <summary>The turns of a conversation: (user text, answer or null for the open last turn), stripped, system merged in.</summary>
    /// <exception cref="ChatTemplateException">Roles do not alternate user/assistant after the optional system message.</exception>
    public static IReadOnlyList<(string User, string? Answer)> Turns(IReadOnlyList<ChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        int start = 0;
        string? system = null;
        if (messages.Count > 0 && messages[0].Role == "system")
        {
            system = messages[0].Content ?? "";
            start = 1;
        }
        var turns = new List<(string, string?)>();
        for (int i = start; i < messages.Count; i += 2)
        {
            ChatMessage user = messages[i];
            if (user.Role != "user")
                throw new ChatTemplateException(ChatTemplateErrorKind.Raised, AlternationError, 0, 0);
            string content = user.Content ?? "";
            if (i == start && system is not null)
                content = BeginSystem + system + EndSystem + content;
            string? answer = null;
            if (i + 1 < messages.Count)
            {
                ChatMessage assistant = messages[i + 1];
                if (assistant.Role != "assistant")
                    throw new ChatTemplateException(ChatTemplateErrorKind.Raised, AlternationError, 0, 0);
                answer = Strip(assistant.Content ?? "");
            }
            turns.Add((Strip(content), answer));
        }
        return turns;
    }

    /// <summary>The prompt as text with the BOS and EOS texts written in (what the official template renders).</summary>
    public static string Render(IReadOnlyList<ChatMessage> messages, string bosToken = "<s>", string eosToken = "</s>")
    {
        var text = new StringBuilder();
        foreach (var (user, answer) in Turns(messages))
        {
            text.Append(bosToken).Append(BeginInstruction).Append(' ').Append(user).Append(' ').Append(EndInstruction);
            if (answer is not null)
                text.Append(' ').Append(answer).Append(' ').Append(eosToken);
        }
        return text.ToString();
    }

    /// <summary>
    /// The prompt's token ids as Meta's <c>chat_completion</c> makes them: per finished exchange
    /// <c>BOS + encode("[INST] user [/INST] answer ") + EOS</c>, then <c>BOS + encode("[INST] user [/INST]")</c> for an
    /// open user turn. Message text is encoded as text: a "&lt;s&gt;" written in a message is not a BOS.
    /// </summary>
    public static int[] Encode(Tokenizer tokenizer, IReadOnlyList<ChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        if (tokenizer.BosId < 0 || tokenizer.EosId < 0)
            throw new InvalidOperationException("the Llama 2-Chat format needs BOS and EOS tokens; the vocabulary lacks one.");
        var ids = new List<int>();
        foreach (var (user, answer) in Turns(messages))
        {
            if (answer is not null)
            {
                tokenizer.Encode($"{BeginInstruction} {user} {EndInstruction} {answer} ", addBos: true, parseSpecial: false, ids);
                ids.Add(tokenizer.EosId);
            }
            else
            {
                tokenizer.Encode($"{BeginInstruction} {user} {EndInstruction}", addBos: true, parseSpecial: false, ids);
            }
        }
        return [.. ids];
    }

    // Python's str.strip(), as the reference code and the template use it.
    private static string Strip(string text) => PythonStrings.Strip(text, null, left: true, right: true);
}
