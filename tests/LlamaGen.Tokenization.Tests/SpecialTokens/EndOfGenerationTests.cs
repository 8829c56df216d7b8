using System.Text;
using LlamaGen.Gguf;
using LlamaGen.Tokenization.Tests.Differential;
using LlamaGen.Tokenization.Tests.LlamaCpp;

namespace LlamaGen.Tokenization.Tests.SpecialTokens;

/// <summary>
/// llama.cpp's end-of-generation set and its load-time corrections of special tokens, on fixture vocabularies whose
/// tokens were renamed to chat, infill and end-of-turn texts (with stored types that are sometimes wrong on purpose):
/// every token's attributes, piece and end-of-generation flag, and inputs holding those texts, against llama.cpp.
/// </summary>
public sealed class EndOfGenerationTests(VocabularyRewriter files, ITestOutputHelper output) : IClassFixture<VocabularyRewriter>
{
    private const int N = (int)TokenType.Normal, C = (int)TokenType.Control, U = (int)TokenType.UserDefined;

    // Chat and end-of-turn tokens of many models, stored as normal, control or user-defined tokens.
    private static readonly (string Text, int Type)[] ChatTokens =
    [
        ("<|eot_id|>", N), ("<|im_end|>", C), ("<|eom_id|>", U), ("<|end|>", C), ("<end_of_turn>", N), ("<EOT>", U), ("_<EOT>", N),
        ("</s>", U), ("[EOS]", N), ("[EOT]", C), ("<eos>", N), ("<|end_of_text|>", C), ("<end_of_utterance>", U), ("<turn|>", N),
        ("<\uFF5Cend\u2581of\u2581sentence\uFF5C>", C), ("[e~[", N), ("<|im_start|>", C), ("<|start_header_id|>", C),
        ("<|channel|>", C), ("<|message|>", N), ("<|start|>", C), ("<|constrain|>", U), ("<|reserved_unused_3|>", C), ("<|unused|>", U),
        ("<|fim_prefix|>", N), ("<fim-suffix>", C), ("<MID>", U), ("<|fim_pad|>", N), ("<REPO>", C), ("<|file_sep|>", U),
    ];

    [Fact]
    public void ChatTokensOfAByteLevelVocabularyMatchLlamaCpp() =>
        CompareRenamed("gpt-2", "chat-bpe", ChatTokens, []);

    [Fact]
    public void ChatTokensOfASentencePieceVocabularyMatchLlamaCpp() =>
        // Llama 2's own </s> stays where it is (a second one would be a duplicate, on which llama.cpp aborts).
        CompareRenamed("llama-spm", "chat-spm", [.. ChatTokens.Where(t => t.Text != "</s>")], []);

    [Fact]
    public void CodeLlamaInfillTokensStayTokens()
    {
        // Code Llama's vocabulary: ▁<PRE> ▁<SUF> ▁<MID> ▁<EOT> after Llama 2's 32000 pieces (here in place of the last four).
        (string, int)[] infill = [("\u2581<PRE>", C), ("\u2581<SUF>", C), ("\u2581<MID>", C), ("\u2581<EOT>", C)];
        var (oracle, tokenizer) = CompareRenamed("llama-spm", "codellama", infill, []);
        using (oracle)
        {
            int prefix = tokenizer.VocabSize - infill.Length;
            Assert.Equal(TokenType.Control, tokenizer.GetTokenType(prefix));
            int[] ids = tokenizer.Encode("\u2581<PRE> x \u2581<SUF>", addBos: false, parseSpecial: true);
            Assert.Contains(prefix, ids);
            Assert.Contains(prefix + 1, ids);
            Assert.Equal("\u2581<PRE>", tokenizer.TokenToPiece(prefix));
        }
    }

    [Fact]
    public void KeysNameTheEndOfTurnAndInfillTokens()
    {
        // Ordinary tokens named by the keys join the set as they are (no type correction), and a key turns off the
        // detection by text for its role.
        CompareRenamed("gpt-2", "keys", [("<|eot_id|>", N), ("<|fim_pad|>", N), ("<PAD>", N)], new Dictionary<string, GgufValue?>
        {
            ["tokenizer.ggml.eot_token_id"] = GgufValue.Of(100u),
            ["tokenizer.ggml.eom_token_id"] = GgufValue.Of(200u),
            ["tokenizer.ggml.fim_pad_token_id"] = GgufValue.Of(300u),
            ["tokenizer.ggml.fim_rep_token_id"] = GgufValue.Of(301u),
            ["tokenizer.ggml.fim_sep_token_id"] = GgufValue.Of(302u),
            ["tokenizer.ggml.prefix_token_id"] = GgufValue.Of(303u),
            ["tokenizer.ggml.eos_token_id"] = GgufValue.Of(400u),
        });
    }

    [Fact]
    public void HarmonyVocabulariesDoNotEndOnEnd()
    {
        // With <|return|> and <|call|> (gpt-oss), or <|calls|> and <|flush|> (solar-open), <|end|> only ends a message.
        CompareRenamed("gpt-2", "harmony", [("<|return|>", C), ("<|call|>", C), ("<|end|>", C), ("<|start|>", C)], []);
        CompareRenamed("gpt-2", "solar", [("<|calls|>", C), ("<|flush|>", C), ("<|end|>", C)], []);
    }

    [Fact]
    public void ToolResponseVocabulariesDoNotEndOnClosingS()
    {
        var (oracle, tokenizer) = CompareRenamed("gpt-2", "gemma4", [("<|tool_response>", C), ("</s>", C)], []);
        using (oracle)
            Assert.False(tokenizer.IsEndOfGeneration(tokenizer.VocabSize - 1));
    }

    [Fact]
    public void EveryFixtureEndOfGenerationSetIsListed()
    {
        // A record of llama.cpp's sets for the fixtures (checked id by id in FixtureDifferentialTests).
        var sets = Fixtures.VocabularyNames.ToDictionary(name => name, name =>
        {
            using var file = GgufFile.Open(Fixtures.Vocabulary(name));
            return Tokenizer.FromGguf(file).EndOfGenerationIds.ToArray();
        });
        Assert.Equal([50256], sets["gpt-2"]);
        Assert.Equal([0, 4], sets["starcoder"]);
        Assert.Equal([0, 4, 18], sets["refact"]);
        Assert.Equal([0], sets["mpt"]);
        Assert.Equal([32014], sets["deepseek-coder"]);
        Assert.Equal([2], sets["llama-spm"]);
        Assert.Equal([2, 32000, 32007], sets["phi-3"]);
    }

    // Renames the last tokens of a fixture vocabulary (keeping every other key), then compares every token and inputs
    // built from the new texts with llama.cpp. Returns both sides for further checks.
    private (LlamaCppVocabulary Oracle, Tokenizer Tokenizer) CompareRenamed(
        string fixture, string name, (string Text, int Type)[] renamed, Dictionary<string, GgufValue?> keys)
    {
        string source = Fixtures.Vocabulary(fixture);
        string[] tokens;
        int[] types;
        using (var file = GgufFile.Open(source))
        {
            tokens = file.GetStringArray("tokenizer.ggml.tokens");
            types = file.GetInt32Array("tokenizer.ggml.token_type");
        }
        int first = tokens.Length - renamed.Length;
        for (int i = 0; i < renamed.Length; i++)
        {
            // llama.cpp aborts the process on a duplicate token, so a test must never write one.
            Assert.DoesNotContain(renamed[i].Text, tokens.AsSpan(0, first).ToArray());
            (tokens[first + i], types[first + i]) = renamed[i];
        }
        var changes = new Dictionary<string, GgufValue?>(keys)
        {
            ["tokenizer.ggml.tokens"] = GgufValue.Of(tokens),
            ["tokenizer.ggml.token_type"] = GgufValue.Of(types),
        };
        string path = files.Write(source, name, changes);

        var oracle = LlamaCppVocabulary.Open(path);
        try
        {
            using var file = GgufFile.Open(path);
            var tokenizer = Tokenizer.FromGguf(file);
            TokenComparison.AssertEveryTokenMatches(oracle, tokenizer);
            // What we warn about, llama.cpp warned about in the same words.
            Assert.All(tokenizer.Warnings, warning => Assert.Contains(warning, oracle.LoadLog));

            var comparison = new OracleComparison(oracle, tokenizer);
            foreach (string input in Inputs(renamed.Select(r => r.Text).ToArray()))
                comparison.Compare(Encoding.UTF8.GetBytes(input));
            string summary = comparison.Summary(name);
            output.WriteLine(summary + " End of generation: " + string.Join(", ", tokenizer.EndOfGenerationIds.Select(id => $"{id} '{tokenizer.GetTokenText(id)}'")));
            Assert.True(comparison.Differences == 0, summary);
            return (oracle, tokenizer);
        }
        catch
        {
            oracle.Dispose();
            throw;
        }
    }

    private static IEnumerable<string> Inputs(string[] texts)
    {
        var random = new Random(3);
        foreach (string text in texts)
        {
            yield return text;
            yield return $"Hello{text} world";
            yield return $" {text} \n{text}{text}";
            yield return text.Replace("\u2581", " ");
        }
        for (int i = 0; i < 200; i++)
        {
            var sb = new StringBuilder();
            for (int p = random.Next(1, 6); p > 0; p--)
                sb.Append(random.Next(3) == 0 ? " x" : texts[random.Next(texts.Length)]).Append(random.Next(2) == 0 ? " " : "");
            yield return sb.ToString();
        }
    }
}
