using LlamaGen.Chat;
using LlamaGen.Gguf;
using LlamaGen.Tokenization.Tests.Differential;
using LlamaGen.Tokenization.Tests.LlamaCpp;

namespace LlamaGen.Tokenization.Tests.SpecialTokens;

/// <summary>
/// ChatML (the fixture Qwen 2.5 template, the format SmolLM2-Instruct uses) through <see cref="ChatPrompt"/> on a
/// SmolLM2-style vocabulary: GPT-2's byte-level BPE re-keyed to the <c>smollm</c> pre-tokenizer with
/// <c>&lt;|im_start|&gt;</c> and <c>&lt;|im_end|&gt;</c> appended as control tokens, BOS <c>&lt;|im_start|&gt;</c> not added
/// (as SmolLM2's files say), EOS <c>&lt;|im_end|&gt;</c>. The ids must be llama.cpp's for the same text, with no BOS added,
/// and <c>&lt;|im_end|&gt;</c> must end a generation for both.
/// </summary>
public sealed class ChatMlPromptTests(VocabularyRewriter files) : IClassFixture<VocabularyRewriter>
{
    private static string QwenTemplate =>
        File.ReadAllText(Path.Combine(Fixtures.Directory, "chat-templates", "Qwen-Qwen2.5-7B-Instruct.jinja"));

    [Fact]
    public void ChatMlPromptTokenizesAsLlamaCppWithoutAddedBos()
    {
        string source = Fixtures.Vocabulary("gpt-2");
        string[] tokens;
        int[] types;
        using (var original = GgufFile.Open(source))
        {
            tokens = [.. original.GetStringArray("tokenizer.ggml.tokens"), "<|im_start|>", "<|im_end|>"];
            types = [.. original.GetInt32Array("tokenizer.ggml.token_type"), (int)TokenType.Control, (int)TokenType.Control];
        }
        int imStart = tokens.Length - 2, imEnd = tokens.Length - 1;
        string path = files.Write(source, "smollm-chatml", new Dictionary<string, GgufValue?>
        {
            ["tokenizer.ggml.pre"] = GgufValue.Of("smollm"),
            ["tokenizer.ggml.tokens"] = GgufValue.Of(tokens),
            ["tokenizer.ggml.token_type"] = GgufValue.Of(types),
            ["tokenizer.ggml.bos_token_id"] = GgufValue.Of((uint)imStart),
            ["tokenizer.ggml.eos_token_id"] = GgufValue.Of((uint)imEnd),
            ["tokenizer.ggml.add_bos_token"] = GgufValue.Of(false),
            ["tokenizer.chat_template"] = GgufValue.Of(QwenTemplate),
        });
        using var oracle = LlamaCppVocabulary.Open(path);
        using var file = GgufFile.Open(path);
        var tokenizer = Tokenizer.FromGguf(file);
        var chat = ChatPrompt.FromGguf(file, tokenizer);
        ChatMessage[] conversation =
        [
            new("system", "You are a helpful assistant."),
            new("user", "What is 2 + 2?"),
            new("assistant", "4."),
            new("user", "And times 3?"),
        ];
        var options = new ChatPromptOptions { AddGenerationPrompt = true };
        string text = chat.Render(conversation, options);
        int[] ids = chat.Tokenize(tokenizer, conversation, options);

        Assert.StartsWith("<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n", text);
        Assert.EndsWith("<|im_start|>assistant\n", text);
        Assert.False(oracle.AddBos);
        Assert.Equal(oracle.Tokenize(text, addSpecial: true, parseSpecial: true), ids);
        Assert.Equal(imStart, ids[0]); // the template's own <|im_start|>, not an added BOS
        Assert.Equal(5, ids.Count(id => id == imStart));
        Assert.Equal(4, ids.Count(id => id == imEnd));
        Assert.True(oracle.IsEndOfGeneration(imEnd));
        Assert.True(tokenizer.IsEndOfGeneration(imEnd));
        Assert.False(tokenizer.IsEndOfGeneration(imStart));
        Assert.Equal(oracle.IsEndOfGeneration(imStart), tokenizer.IsEndOfGeneration(imStart));
    }
}
