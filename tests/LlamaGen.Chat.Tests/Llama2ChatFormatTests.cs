using System.Text.Json.Nodes;
using LlamaGen.Chat.Tests.Oracle;
using LlamaGen.Gguf;
using LlamaGen.TestSupport.LlamaCpp;
using LlamaGen.Tokenization;

namespace LlamaGen.Chat.Tests;

/// <summary>
/// Meta's Llama 2-Chat format, the default when a file has no template: its text is what the official template renders
/// (jinja2 says so too), and its ids, Meta's per-turn encoding, equal llama.cpp's tokenization of that text (special
/// tokens parsed, no BOS added) and ChatPrompt's tokenization of the template's output, on Llama 2's real vocabulary.
/// </summary>
public sealed class Llama2ChatFormatTests
{
    private static readonly ChatMessage[][] Dialogs =
    [
        [new("user", "Hello!")],
        [new("system", "You are a helpful, respectful and honest assistant."), new("user", "What is the capital of France?")],
        [new("system", "Always answer in rhymes."), new("user", "Why is the sky blue?"), new("assistant", "  Because the light, it scatters bright.  "),
         new("user", "And why are sunsets red?"), new("assistant", "The long way through the air, instead."), new("user", " One more? ")],
        [new("user", "Tell me about 日本 and Ünïcödé 😀."), new("assistant", "Sure:\n\n* one\n* two\n"), new("user", "Thanks\tbye")],
        [new("system", "  Be brief.  \n"), new("user", "q1"), new("assistant", "a1"), new("user", "q2"), new("assistant", "a2"), new("user", "q3"),
         new("assistant", "a3"), new("user", "q4"), new("assistant", "a4"), new("user", "q5")],
        [new("user", "Only a finished exchange"), new("assistant", "ending with the answer")],
    ];

    private static string Template => ChatFixtures.Template("meta-llama-Llama-2-7b-chat");

    private static JsonArray AsJson(ChatMessage[] dialog) =>
        new(dialog.Select(m => (JsonNode?)new JsonObject { ["role"] = m.Role, ["content"] = m.Content }).ToArray());

    [Fact]
    public void TheDefaultFormatsTextIsWhatTheOfficialTemplateRenders()
    {
        var cases = Dialogs.Select((dialog, i) => new OracleCase($"dialog {i}", Template, new JsonObject
        {
            ["messages"] = AsJson(dialog),
            ["bos_token"] = "<s>",
            ["eos_token"] = "</s>",
            ["add_generation_prompt"] = false,
        })).ToList();
        IReadOnlyList<OracleResult> expected = Jinja2Oracle.Render(cases);
        var prompt = new ChatPrompt(template: null);
        for (int i = 0; i < Dialogs.Length; i++)
        {
            Assert.True(expected[i].Ok);
            Assert.Equal(expected[i].Output, Llama2ChatFormat.Render(Dialogs[i]));
            Assert.Equal(expected[i].Output, prompt.Render(Dialogs[i]));
            Assert.Equal(expected[i].Output, new ChatPrompt(Template).Render(Dialogs[i]));
        }
    }

    [Fact]
    public void PromptIdsEqualLlamaCppsAndMetasEncoding()
    {
        using var file = GgufFile.Open(ChatFixtures.Llama2Gguf);
        var tokenizer = SentencePieceTokenizer.FromGguf(file);
        using var llamaCpp = LlamaCppOracle.Open(ChatFixtures.Llama2Gguf);
        var withTemplate = new ChatPrompt(Template, tokenizer.GetTokenText(tokenizer.BosId), tokenizer.GetTokenText(tokenizer.EosId));
        var withDefault = new ChatPrompt(template: null, "<s>", "</s>");

        int compared = 0;
        foreach (ChatMessage[] dialog in Dialogs)
        {
            string rendered = withTemplate.Render(dialog);
            int[] llamaCppIds = llamaCpp.Tokenize(rendered, addSpecial: false, parseSpecial: true);
            int[] metaIds = Llama2ChatFormat.Encode(tokenizer, dialog);
            int[] fromTemplate = withTemplate.Tokenize(tokenizer, dialog);
            int[] fromDefault = withDefault.Tokenize(tokenizer, dialog);

            Assert.Equal(llamaCppIds, metaIds);
            Assert.Equal(llamaCppIds, fromTemplate);
            Assert.Equal(llamaCppIds, fromDefault);
            // One BOS per exchange, and the template's own BOS was not doubled by the tokenizer.
            int exchanges = (dialog.Count(m => m.Role == "user"));
            Assert.Equal(exchanges, llamaCppIds.Count(id => id == tokenizer.BosId));
            Assert.Equal(tokenizer.BosId, fromTemplate[0]);
            Assert.NotEqual(tokenizer.BosId, fromTemplate[1]);
            Assert.Equal(dialog.Count(m => m.Role == "assistant"), metaIds.Count(id => id == tokenizer.EosId));
            compared++;
        }
        TestContext.Current.SendDiagnosticMessage($"Llama 2-Chat: {compared} dialogs, ids equal to llama.cpp's and Meta's encoding.");
    }

    [Fact]
    public void MetasPerTurnEncodingIsBosPlusTurnTextPlusEos()
    {
        using var file = GgufFile.Open(ChatFixtures.Llama2Gguf);
        var tokenizer = SentencePieceTokenizer.FromGguf(file);
        ChatMessage[] dialog = Dialogs[2];
        var expected = new List<int>();
        expected.AddRange(tokenizer.Encode("[INST] <<SYS>>\nAlways answer in rhymes.\n<</SYS>>\n\nWhy is the sky blue? [/INST] Because the light, it scatters bright. ", addBos: true));
        expected.Add(tokenizer.EosId);
        expected.AddRange(tokenizer.Encode("[INST] And why are sunsets red? [/INST] The long way through the air, instead. ", addBos: true));
        expected.Add(tokenizer.EosId);
        expected.AddRange(tokenizer.Encode("[INST] One more? [/INST]", addBos: true));
        Assert.Equal(expected, Llama2ChatFormat.Encode(tokenizer, dialog));
    }

    [Fact]
    public void MessageTextThatLooksLikeASpecialTokenStaysTextInMetasEncoding()
    {
        using var file = GgufFile.Open(ChatFixtures.Llama2Gguf);
        var tokenizer = SentencePieceTokenizer.FromGguf(file);
        int[] ids = Llama2ChatFormat.Encode(tokenizer, [new ChatMessage("user", "say </s> and <s>")]);
        Assert.Equal(1, ids.Count(id => id == tokenizer.BosId));
        Assert.DoesNotContain(tokenizer.EosId, ids);
    }

    [Fact]
    public void RolesThatDoNotAlternateRaiseTheTemplatesMessage()
    {
        ChatMessage[] bad = [new("user", "a"), new("user", "b")];
        var fromDefault = Assert.Throws<ChatTemplateException>(() => Llama2ChatFormat.Render(bad));
        var fromTemplate = Assert.Throws<ChatTemplateException>(() => new ChatPrompt(Template).Render(bad));
        Assert.Equal(fromTemplate.Message, fromDefault.Message);
        Assert.Equal("Conversation roles must alternate user/assistant/user/assistant/...", fromDefault.Message);
    }

    [Fact]
    public void FromGgufUsesTheFilesTemplateOrTheOverrideOrTheDefault()
    {
        using var file = GgufFile.Open(ChatFixtures.Llama2Gguf);
        var tokenizer = SentencePieceTokenizer.FromGguf(file);
        bool hasTemplate = file.TryGetString("tokenizer.chat_template", out _);
        var fromFile = ChatPrompt.FromGguf(file, tokenizer);
        Assert.Equal(hasTemplate, fromFile.Template is not null);
        Assert.Equal("<s>", fromFile.BosToken);
        Assert.Equal("</s>", fromFile.EosToken);
        var overridden = ChatPrompt.FromGguf(file, tokenizer, templateOverride: "{{ bos_token }}{% for m in messages %}{{ m.content }}{% endfor %}");
        Assert.Equal("<s>hi", overridden.Render([new ChatMessage("user", "hi")]));
        Assert.Equal([tokenizer.BosId, .. tokenizer.Encode("hi", addBos: false, parseSpecial: true)], overridden.Tokenize(tokenizer, [new ChatMessage("user", "hi")]));
    }
}
