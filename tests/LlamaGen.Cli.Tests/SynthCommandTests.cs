using LlamaGen.Conversion;
using LlamaGen.Quantization;
using LlamaGen.Specs;
using LlamaGen.TestSupport.Reference;

namespace LlamaGen.Cli.Tests;

/// <summary><c>llamagen synth</c>: the file is SyntheticModelWriter's, bad input is one error line.</summary>
public sealed class SynthCommandTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("llamagen-synth-cli-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private static string SpecPath(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "specs", name);
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException($"Cannot find specs/{name} in any parent of {AppContext.BaseDirectory}.");
    }

    private string Synthesize(string spec, GgmlType type, string? vocabulary = null, ulong seed = 0, int threads = 0, string? name = null)
    {
        string output = Path.Combine(directory, name ?? $"{Path.GetFileNameWithoutExtension(spec)}-{GgmlTypeInfo.Name(type)}.gguf");
        SyntheticModelWriter.Write(SpecJsonReader.ReadFile(SpecPath(spec)), type, vocabulary ?? ReferenceFixtures.TinyRandomGguf, output, seed, threads);
        return output;
    }

    [Fact]
    public void CliSynthWritesTheModelAndReportsBadInputAsOneLine()
    {
        string output = Path.Combine(directory, "cli.gguf");
        var result = CliRunner.Run("synth", "--spec", SpecPath("llama2-test-small.json"), "--type", "q4_0", "--output", output,
            "--vocab", ReferenceFixtures.TinyRandomGguf, "--seed", "3");
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal("", result.Stdout);
        Assert.Contains($"wrote {output}", result.Stderr);
        Assert.Equal(File.ReadAllBytes(Synthesize("llama2-test-small.json", GgmlType.Q4_0, seed: 3, name: "api.gguf")), File.ReadAllBytes(output));

        string error = CliRunner.AssertUserError(CliRunner.Run("synth", "--spec", SpecPath("llama2-test-small.json"), "--type", "q8_k",
            "--output", output, "--vocab", ReferenceFixtures.TinyRandomGguf));
        Assert.Contains("'q8_k' is not one of", error);
        Assert.Contains("q4_k_m", error);

        // A mix: the file is the API's, and the command says which types it holds.
        string mixOutput = Path.Combine(directory, "cli-mix.gguf");
        result = CliRunner.Run("synth", "--spec", SpecPath("llama2-test-k.json"), "--type", "q4_k_m", "--output", mixOutput,
            "--vocab", ReferenceFixtures.TinyRandomGguf, "--seed", "3");
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("q4_k_m: 21 tensors: ", result.Stderr);
        Assert.Contains("q6_k", result.Stderr);
        string apiMix = Path.Combine(directory, "api-mix.gguf");
        SyntheticModelWriter.Write(SpecJsonReader.ReadFile(SpecPath("llama2-test-k.json")), SyntheticModelType.Of(LlamaFileType.MostlyQ4_K_M),
            ReferenceFixtures.TinyRandomGguf, apiMix, seed: 3);
        Assert.Equal(File.ReadAllBytes(apiMix), File.ReadAllBytes(mixOutput));

        string badSpec = Path.Combine(directory, "bad.json");
        string specText = File.ReadAllText(SpecPath("llama2-test-small.json"));
        Assert.Equal(4, specText.Split('\n').ToList().FindIndex(l => l.Contains("\"embedding_length\": 128")) + 1);
        File.WriteAllText(badSpec, specText.Replace("\"embedding_length\": 128", "\"embedding_length\": \"big\""));
        error = CliRunner.AssertUserError(CliRunner.Run("synth", "--spec", badSpec, "--type", "f16", "--output", output,
            "--vocab", ReferenceFixtures.TinyRandomGguf));
        Assert.Contains($"{badSpec}(4): \"embedding_length\" must be a positive integer", error);

        error = CliRunner.AssertUserError(CliRunner.Run("synth", "--spec", SpecPath("stories260k.json"), "--type", "f32",
            "--output", output, "--vocab", ReferenceFixtures.TinyRandomGguf));
        Assert.Contains("vocab_size 512", error);
    }

    [Fact]
    public void CliSynthLlama3VocabGrowsGptTwosVocabularyToTheSpecsSize()
    {
        // A small Llama 3 shape with a vocabulary larger than GPT-2's 50257 tokens and Llama 3's 256 special tokens.
        string spec = Path.Combine(directory, "llama3-grown.json");
        File.WriteAllText(spec, """
            {
              "name": "llama3-grown", "architecture": "llama", "embedding_length": 64, "block_count": 1,
              "attention.head_count": 4, "attention.head_count_kv": 2, "feed_forward_length": 128, "vocab_size": 51000,
              "context_length": 256, "rope.freq_base": 500000.0, "attention.layer_norm_rms_epsilon": 1e-5,
              "weight_types": ["f32"]
            }
            """);
        string gpt2 = Path.Combine(ReferenceFixtures.Directory, "vocab", "ggml-vocab-gpt-2.gguf");
        string template = Path.Combine(ReferenceFixtures.Directory, "chat-templates", "meta-llama-Llama-3.1-8B-Instruct.jinja");
        string output = Path.Combine(directory, "llama3-grown.gguf");
        var result = CliRunner.Run("synth", "--spec", spec, "--type", "f32", "--output", output, "--llama3-vocab", "--vocab", gpt2,
            "--chat-template", template, "--tied-embeddings", "--llama3-rope");
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("--llama3-vocab: 51000 tokens from", result.Stderr);
        Assert.Contains("special tokens from 50744", result.Stderr);
        using (var file = LlamaGen.Gguf.GgufFile.Open(output))
        {
            string[] tokens = file.GetStringArray("tokenizer.ggml.tokens");
            Assert.Equal(51000, tokens.Length);
            Assert.Equal("llama-bpe", file.GetString("tokenizer.ggml.pre"));
            Assert.Equal("<|filler_50257|>", tokens[50257]);
            Assert.Equal("<|begin_of_text|>", tokens[50744]);
            Assert.Equal("<|eot_id|>", tokens[50753]);
            Assert.Equal("<|reserved_special_token_247|>", tokens[^1]);
            Assert.Equal(File.ReadAllText(template), file.GetString("tokenizer.chat_template"));
            Assert.True(file.TryGetTensor("rope_freqs.weight", out _));
            Assert.False(file.TryGetTensor("output.weight", out _));
        }
        // CliRunner runs the command in this process: its temporary vocabulary is this process's, and gone.
        Assert.False(File.Exists(Path.Combine(Path.GetTempPath(), $"llamagen-synth-vocab-{Environment.ProcessId}.gguf")));

        string error = CliRunner.AssertUserError(CliRunner.Run("synth", "--spec", spec, "--type", "f32", "--output", output,
            "--chat-template", template));
        Assert.Contains("--chat-template needs --llama3-vocab", error);

        string spm = Path.Combine(ReferenceFixtures.Directory, "vocab", "ggml-vocab-llama-spm.gguf");
        error = CliRunner.AssertUserError(CliRunner.Run("synth", "--spec", spec, "--type", "f32", "--output", output,
            "--llama3-vocab", "--vocab", spm));
        Assert.Contains(spm, error);
        Assert.Contains("byte-level BPE", error);
    }
}
