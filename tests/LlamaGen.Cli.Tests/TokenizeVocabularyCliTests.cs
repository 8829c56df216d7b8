using LlamaGen.Gguf;
using LlamaGen.TestSupport.Reference;
using LlamaGen.Tokenization;

namespace LlamaGen.Cli.Tests;

/// <summary><c>llamagen tokenize</c> on llama.cpp's tokenizer-only GGUF files (no tensors), BPE and SentencePiece.</summary>
public sealed class TokenizeVocabularyCliTests
{
    private static string Vocabulary(string name) => Path.Combine(ReferenceFixtures.Directory, "vocab", $"ggml-vocab-{name}.gguf");

    [Theory]
    [InlineData("gpt-2")]
    [InlineData("deepseek-coder")]
    [InlineData("llama-spm")]
    public void TokenizesWithAVocabularyOnlyFile(string name)
    {
        const string text = "Hello world! It's 12345 \u00e9\u00e9 \U0001F600\n";
        var result = CliRunner.RunWithInput(text, "tokenize", "--model", Vocabulary(name));
        Assert.True(result.ExitCode == 0, result.Stderr);

        using var file = GgufFile.Open(Vocabulary(name));
        Assert.Empty(file.Tensors);
        var tokenizer = Tokenizer.FromGguf(file);
        Assert.Equal(string.Join(' ', tokenizer.Encode(text, addBos: tokenizer.AddBos)) + "\n", result.Stdout);
    }

    [Fact]
    public void ParsesSpecialTokensOnlyWhenAsked()
    {
        const string text = "a<|endoftext|>b";
        var plain = CliRunner.RunWithInput(text, "tokenize", "--model", Vocabulary("gpt-2"), "--no-bos");
        var special = CliRunner.RunWithInput(text, "tokenize", "--model", Vocabulary("gpt-2"), "--no-bos", "--special");
        Assert.DoesNotContain("50256", plain.Stdout);
        Assert.Equal("64 50256 65\n", special.Stdout);
    }

    [Fact]
    public void MissingPreTokenizerWarnsOnStderr()
    {
        string path = Path.Combine(Path.GetTempPath(), $"llamagen-no-pre-{Guid.NewGuid():N}.gguf");
        try
        {
            using (var source = GgufFile.Open(Vocabulary("gpt-2")))
            using (var stream = File.Create(path))
            {
                var writer = new GgufWriter(stream);
                foreach (var entry in source.Metadata.Where(e => e.Key != "tokenizer.ggml.pre"))
                    writer.AddMetadata(entry.Key, entry.Value);
                writer.Finish();
            }
            var result = CliRunner.RunWithInput("hi", "tokenize", "--model", path);
            Assert.Equal(0, result.ExitCode);
            Assert.Contains($"warning: {path}: missing pre-tokenizer type, using: 'default'", result.Stderr);
            Assert.Contains("GENERATION QUALITY WILL BE DEGRADED!", result.Stderr);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void UnknownPreTokenizerIsAUserErrorNamingIt()
    {
        string path = Path.Combine(Path.GetTempPath(), $"llamagen-bad-pre-{Guid.NewGuid():N}.gguf");
        try
        {
            using (var source = GgufFile.Open(Vocabulary("gpt-2")))
            using (var stream = File.Create(path))
            {
                var writer = new GgufWriter(stream);
                foreach (var entry in source.Metadata)
                    writer.AddMetadata(entry.Key, entry.Key == "tokenizer.ggml.pre" ? GgufValue.Of("qwen9") : entry.Value);
                writer.Finish();
            }
            string error = CliRunner.AssertUserError(CliRunner.RunWithInput("hi", "tokenize", "--model", path));
            Assert.Contains("\"qwen9\"", error);
            Assert.Contains(path, error);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
