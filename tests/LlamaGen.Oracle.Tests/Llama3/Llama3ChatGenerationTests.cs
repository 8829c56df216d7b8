using System.Buffers.Binary;
using LlamaGen.Chat;
using LlamaGen.Conversion;
using LlamaGen.Gguf;
using LlamaGen.Inference;
using LlamaGen.Models;
using LlamaGen.Quantization;
using LlamaGen.Sampling;
using LlamaGen.TestModels;
using LlamaGen.TestSupport.LlamaCpp;
using LlamaGen.TestSupport.Models;
using LlamaGen.Tokenization;

namespace LlamaGen.Oracle.Tests.Llama3;

/// <summary>
/// Llama 3 chat on the synthetic Llama 3 model, against llama.cpp: the end-of-generation set, the fixture Llama 3.1
/// template through <see cref="ChatPrompt"/> (one BOS, ids as llama.cpp tokenizes the same text), and a greedy reply
/// that ends at <c>&lt;|eot_id|&gt;</c> where llama.cpp's greedy path reaches it.
/// </summary>
[Collection(Llama3Collection.Name)]
public sealed class Llama3ChatGenerationTests(Llama3SyntheticFiles files)
{
    /// <summary>
    /// Random weights almost never pick one token of 50268, so the <c>&lt;|eot_id|&gt;</c> row of the tied embedding is
    /// scaled: its logit (a dot product with that row) then has this many times the spread of the others, and wins at
    /// the first step where its sign is positive and large. Only the classifier changes; no input feeds the token.
    /// </summary>
    private const float EndOfTurnScale = 30;

    private const int MaxSteps = 48;

    [Fact]
    public void EndOfGenerationSetIsLlamaCpps()
    {
        string path = files.Get(SyntheticModelType.Of(GgmlType.Q8_0));
        using var oracle = LlamaCppOracle.Open(path);
        using var file = GgufFile.Open(path);
        var tokenizer = Tokenizer.FromGguf(file);
        for (int id = Llama3TestVocabulary.FirstSpecialId - 1; id < Llama3TestVocabulary.VocabSize; id++)
            Assert.True(oracle.IsEndOfGeneration(id) == tokenizer.IsEndOfGeneration(id),
                $"token {id} '{tokenizer.GetTokenText(id)}': llama.cpp says end of generation {oracle.IsEndOfGeneration(id)}, we say {tokenizer.IsEndOfGeneration(id)}");
        Assert.True(tokenizer.IsEndOfGeneration(Llama3TestVocabulary.EndOfTurn));
        Assert.True(tokenizer.IsEndOfGeneration(Llama3TestVocabulary.EndOfMessage));
        Assert.True(tokenizer.IsEndOfGeneration(Llama3TestVocabulary.EndOfText));
        Assert.True(oracle.IsEndOfGeneration(Llama3TestVocabulary.EndOfTurn));
        // (llama.cpp's single EOT id here is GPT-2's <|endoftext|>, the first end-of-turn text by id; a real Llama 3
        // vocabulary has no such token. Generation stops on the whole set, so that is what is compared.)
    }

    // Questions whose greedy reply llama.cpp ends with <|eot_id|> within MaxSteps (20 and 3 tokens); with random weights
    // many others settle into repeating one token whose state scores <|eot_id|> low, and never end.
    [Theory]
    [InlineData("meta-llama-Llama-3.1-8B-Instruct.jinja", "Hello!")]
    [InlineData("meta-llama-Llama-3.2-3B-Instruct.jinja", "Tell me a story about a robot.")]
    public void ChatPromptHasOneBosTokenizesAsLlamaCppAndTheReplyStopsAtEndOfTurn(string templateFile, string question)
    {
        ChatMessage[] conversation = [new("system", "You are a helpful assistant."), new("user", question)];
        string path = EndOfTurnFavouringCopy();
        using var file = GgufFile.Open(path);
        var tokenizer = Tokenizer.FromGguf(file);
        string template = File.ReadAllText(Path.Combine(TestSupport.Reference.ReferenceFixtures.Directory, "chat-templates", templateFile));
        var chat = ChatPrompt.FromGguf(file, tokenizer, template);
        Assert.NotNull(chat.Template);
        var options = new ChatPromptOptions { AddGenerationPrompt = true };
        string text = chat.Render(conversation, options);
        int[] ids = chat.Tokenize(tokenizer, conversation, options);

        // The template writes <|begin_of_text|> itself and the vocabulary adds BOS: the prompt must still have one.
        Assert.StartsWith("<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n", text);
        Assert.EndsWith("<|start_header_id|>assistant<|end_header_id|>\n\n", text);
        Assert.Equal(Llama3TestVocabulary.BeginOfText, ids[0]);
        Assert.Single(ids, id => id == Llama3TestVocabulary.BeginOfText);

        int[] expectedIds;
        using (var oracle = LlamaCppOracle.Open(path))
        {
            Assert.Equal(oracle.Tokenize(text, addSpecial: false, parseSpecial: true), ids);
            Assert.True(tokenizer.TryGetId("<|start_header_id|>", out int header));
            Assert.Equal(3, ids.Count(id => id == header));
            Assert.Equal(2, ids.Count(id => id == Llama3TestVocabulary.EndOfTurn));
            (expectedIds, _) = oracle.Greedy(ids, MaxSteps);
        }
        int stop = Array.FindIndex(expectedIds, id => id == Llama3TestVocabulary.EndOfTurn);
        Assert.True(stop >= 0, $"llama.cpp's greedy reply did not reach <|eot_id|> in {MaxSteps} steps: {string.Join(" ", expectedIds)}");

        using var model = ModelCatalog.Match(file, TestModelCatalog.All).Load(file);
        using var generator = new TextGenerator(model, tokenizer);
        var result = generator.Generate(text, new GenerationOptions
        {
            AddBos = false, ParseSpecialTokens = true, Sampling = SamplerOptions.Greedy, MaxNewTokens = MaxSteps,
        });
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{templateFile}: {ids.Length}-token chat prompt; llama.cpp's greedy reply reaches <|eot_id|> after {stop} tokens; ours: " +
            $"{result.GeneratedTokens.Count} tokens, {result.StopReason}");
        Assert.Equal(ids, result.PromptTokens);
        Assert.Equal(expectedIds[..stop], result.GeneratedTokens);
        Assert.Equal(StopReason.EndOfSequence, result.StopReason);
        Assert.DoesNotContain("<|eot_id|>", result.Text);
    }

    /// <summary>A copy of the F32 model (with frequency factors) whose <c>&lt;|eot_id|&gt;</c> embedding row is scaled by <see cref="EndOfTurnScale"/>.</summary>
    private string EndOfTurnFavouringCopy()
    {
        string source = files.Get(SyntheticModelType.Of(GgmlType.F32));
        string path = Path.Combine(files.Directory, "llama3-test-f32-eot.gguf");
        if (File.Exists(path)) return path;
        string temporary = path + ".tmp";
        File.Copy(source, temporary, overwrite: true);
        long offset;
        int columns;
        using (var gguf = GgufFile.Open(source))
        {
            var embedding = gguf.Tensors.Single(t => t.Name == "token_embd.weight");
            Assert.Equal(GgmlType.F32, embedding.Type);
            columns = (int)embedding.Dimensions[0];
            offset = gguf.DataOffset + embedding.Offset + (long)Llama3TestVocabulary.EndOfTurn * columns * sizeof(float);
        }
        using (var stream = new FileStream(temporary, FileMode.Open, FileAccess.ReadWrite))
        {
            var row = new byte[columns * sizeof(float)];
            stream.Position = offset;
            stream.ReadExactly(row);
            for (int i = 0; i < columns; i++)
            {
                float value = BinaryPrimitives.ReadSingleLittleEndian(row.AsSpan(i * 4)) * EndOfTurnScale;
                BinaryPrimitives.WriteSingleLittleEndian(row.AsSpan(i * 4), value);
            }
            stream.Position = offset;
            stream.Write(row);
        }
        File.Move(temporary, path, overwrite: true);
        return path;
    }
}
