using System.Text;
using System.Text.Json;
using LlamaGen.Gguf;
using LlamaGen.TestSupport.Reference;
using LlamaGen.Tokenization;
using LlamaGen.TestSupport;

namespace LlamaGen.Cli.Tests;

public class CliTests(Stories260KGguf stories) : IClassFixture<Stories260KGguf>
{
    [Fact]
    public void UnknownOptionIsOneErrorLine()
    {
        string error = CliRunner.AssertUserError(CliRunner.Run("generate", "--model", "x.gguf", "--bogus"));
        Assert.Contains("--bogus", error);
    }

    [Fact]
    public void MissingRequiredOptionIsOneErrorLine()
    {
        string error = CliRunner.AssertUserError(CliRunner.Run("info"));
        Assert.Contains("--model", error);
    }

    [Fact]
    public void UnparsableOptionValueIsOneErrorLine()
    {
        string error = CliRunner.AssertUserError(CliRunner.Run("generate", "--model", stories.Path, "--temperature", "warm"));
        Assert.Contains("warm", error);
    }

    [Theory]
    [InlineData("--temperature", "-1", "--temperature")]
    [InlineData("--top-p", "1.5", "--top-p")]
    [InlineData("--top-p", "0", "--top-p")]
    [InlineData("--top-k", "-3", "--top-k")]
    [InlineData("--min-p", "-0.1", "--min-p")]
    [InlineData("--repeat-penalty", "0", "--repeat-penalty")]
    [InlineData("--max-tokens", "-2", "--max-tokens")]
    public void OutOfRangeOptionValueNamesTheOption(string option, string value, string named)
    {
        string error = CliRunner.AssertUserError(CliRunner.Run("generate", "--model", stories.Path, option, value));
        Assert.Contains(named, error);
    }

    [Fact]
    public void MissingModelFileIsOneErrorLineNamingIt()
    {
        string path = Path.Combine(stories.Directory, "does-not-exist.gguf");
        foreach (string command in new[] { "info", "tokenize", "generate" })
        {
            string error = CliRunner.AssertUserError(CliRunner.Run(command, "--model", path));
            Assert.Contains(path, error);
            Assert.Contains("not found", error);
        }
    }

    [Fact]
    public void NonGgufFileIsOneErrorLineNamingIt()
    {
        string path = Path.Combine(stories.Directory, "not-a-model.gguf");
        File.WriteAllText(path, "this is plain text, not a GGUF file\n");
        string error = CliRunner.AssertUserError(CliRunner.Run("info", "--model", path));
        Assert.Contains(path, error);
        Assert.Contains("magic", error);
    }

    [Theory]
    [InlineData("Once upon a time")]
    [InlineData("  two leading spaces and a trailing newline\n")]
    [InlineData("\n\nnewlines first\r\nthen CRLF\r\n")]
    [InlineData("tabs\tand trailing spaces   ")]
    [InlineData("\uFEFFa byte-order mark is text too")]
    public void TokenizeReadsStdinExactlyAsGiven(string text)
    {
        var result = CliRunner.RunWithInput(text, "tokenize", "--model", ReferenceFixtures.TinyRandomGguf);
        Assert.Equal(0, result.ExitCode);

        using var file = GgufFile.Open(ReferenceFixtures.TinyRandomGguf);
        int[] expected = SentencePieceTokenizer.FromGguf(file).Encode(text, addBos: true);
        Assert.Equal(string.Join(' ', expected) + "\n", result.Stdout);
        Assert.Equal("", result.Stderr);
    }

    [Fact]
    public void TokenizePreservesWhitespaceThatTrimmingWouldLose()
    {
        // Guards the test above: these texts tokenize differently from their trimmed forms.
        var exact = CliRunner.RunWithInput(" hi\n", "tokenize", "--model", ReferenceFixtures.TinyRandomGguf);
        var trimmed = CliRunner.RunWithInput("hi", "tokenize", "--model", ReferenceFixtures.TinyRandomGguf);
        Assert.NotEqual(trimmed.Stdout, exact.Stdout);
    }

    [Fact]
    public void TokenizeNoBosAndSpecial()
    {
        using var file = GgufFile.Open(ReferenceFixtures.TinyRandomGguf);
        var tokenizer = SentencePieceTokenizer.FromGguf(file);
        const string text = "<s>Hello";

        var plain = CliRunner.RunWithInput(text, "tokenize", "--model", ReferenceFixtures.TinyRandomGguf, "--no-bos");
        Assert.Equal(string.Join(' ', tokenizer.Encode(text, addBos: false)) + "\n", plain.Stdout);

        var special = CliRunner.RunWithInput(text, "tokenize", "--model", ReferenceFixtures.TinyRandomGguf, "--no-bos", "--special");
        int[] ids = tokenizer.Encode(text, addBos: false, parseSpecial: true);
        Assert.Equal(tokenizer.BosId, ids[0]);
        Assert.Equal(string.Join(' ', ids) + "\n", special.Stdout);
    }

    [Fact]
    public void TokenizeRejectsInvalidUtf8()
    {
        string error = CliRunner.AssertUserError(CliRunner.RunWithInput(new byte[] { 0x61, 0xC3 }, "tokenize", "--model", ReferenceFixtures.TinyRandomGguf));
        Assert.Contains("UTF-8", error);
    }

    [Fact]
    public void InfoListsVersionMetadataAndTensors()
    {
        var result = CliRunner.Run("info", "--model", ReferenceFixtures.TinyRandomGguf);
        Assert.Equal(0, result.ExitCode);
        using var file = GgufFile.Open(ReferenceFixtures.TinyRandomGguf);
        Assert.Contains($"gguf version: {file.Version}\n", result.Stdout);
        Assert.Contains("general.architecture = \"llama\"\n", result.Stdout);
        int vocab = file.GetStringArray("tokenizer.ggml.tokens").Length;
        Assert.Contains($"tokenizer.ggml.tokens = string[{vocab}] [", result.Stdout);
        Assert.Contains($"tensors ({file.Tensors.Count}):", result.Stdout);
        foreach (var tensor in file.Tensors)
            Assert.Contains($"  {tensor.Name} ", result.Stdout);
        Assert.Contains("compiled model: ", result.Stdout);
    }

    [Fact]
    public void SpecFromGgufMatchesTheCheckedInSpec()
    {
        string output = Path.Combine(stories.Directory, "spec.json");
        var result = CliRunner.Run("spec", "from-gguf", "--model", stories.Path, "--name", "stories260k", "--output", output);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Stdout);

        using var written = JsonDocument.Parse(File.ReadAllBytes(output));
        using var checkedIn = JsonDocument.Parse(File.ReadAllBytes(FindSpec("stories260k.json")));
        foreach (var property in checkedIn.RootElement.EnumerateObject())
        {
            if (property.Name == "weight_types") continue; // the spec lists extra formats to compile
            Assert.True(written.RootElement.TryGetProperty(property.Name, out var value), $"missing {property.Name}");
            if (property.Value.ValueKind == JsonValueKind.Number)
                Assert.Equal((float)property.Value.GetDouble(), (float)value.GetDouble());
            else
                Assert.Equal(property.Value.ToString(), value.ToString());
        }
        Assert.Equal(["f32"], written.RootElement.GetProperty("weight_types").EnumerateArray().Select(e => e.GetString()));

        var stdout = CliRunner.Run("spec", "from-gguf", "--model", stories.Path, "--name", "stories260k");
        Assert.Equal(File.ReadAllText(output), stdout.Stdout);
    }

    [Fact]
    public void ConvertWritesAGgufThatInfoReads()
    {
        string output = Path.Combine(stories.Directory, "converted-again.gguf");
        var result = CliRunner.Run("convert", "llama2c", "--model", ReferenceFixtures.Stories260KModel,
            "--tokenizer", ReferenceFixtures.Stories260KTokenizer, "--output", output);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Stdout);
        Assert.Equal(File.ReadAllBytes(stories.Path), File.ReadAllBytes(output));

        string error = CliRunner.AssertUserError(CliRunner.Run("convert", "llama2c", "--model", ReferenceFixtures.Stories260KModel,
            "--tokenizer", Path.Combine(stories.Directory, "missing.bin"), "--output", output));
        Assert.Contains("missing.bin", error);
    }

    [Fact]
    public void GenerateGreedyFromBosPrintsTheGoldenTextOnly()
    {
        var golden = GoldenOutput.Load(ReferenceFixtures.Stories260KGolden);
        // llama2.c's steps = 256 positions from BOS, each printing one token: 256 generated tokens.
        var result = CliRunner.Run("generate", "--model", stories.Path, "--prompt", "", "--temperature", "0",
            "--max-tokens", golden.Steps.ToString());

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal(golden.ReferenceText, result.Stdout);
        Assert.Contains("generation: 256 tokens", result.Stderr);
    }

    [Fact]
    public void GenerateFromALlama2CCheckpointConvertsOnTheFlyAndLeavesNoFile()
    {
        var golden = GoldenOutput.Load(ReferenceFixtures.Stories260KGolden);
        // The CLI names its temporary file llamagen-<pid>-<guid>.gguf; other tests' temp files have other names.
        string pattern = $"llamagen-{Environment.ProcessId}-*.gguf";
        int before = Directory.GetFiles(Path.GetTempPath(), pattern).Length;
        var result = CliRunner.Run("generate", "--model", ReferenceFixtures.Stories260KModel,
            "--tokenizer", ReferenceFixtures.Stories260KTokenizer, "--prompt", "", "--temperature", "0",
            "--max-tokens", golden.Steps.ToString());

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal(golden.ReferenceText, result.Stdout);
        Assert.Equal(before, Directory.GetFiles(Path.GetTempPath(), pattern).Length);
    }

    [Fact]
    public void GenerateWithOneTokenLessStopsOneTokenShortOfTheGoldenText()
    {
        // Pins the off-by-one: llama2.c's 256 steps print 256 tokens, so 255 lacks the final "." of the golden text.
        var golden = GoldenOutput.Load(ReferenceFixtures.Stories260KGolden);
        var result = CliRunner.Run("generate", "--model", stories.Path, "--prompt", "", "--temperature", "0",
            "--max-tokens", (golden.Steps - 1).ToString());

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.NotEqual(golden.ReferenceText, result.Stdout);
        Assert.StartsWith(result.Stdout, golden.ReferenceText);
    }

    [Fact]
    public void GeneratePromptLongerThanTheContextIsOneErrorLine()
    {
        string prompt = string.Concat(Enumerable.Repeat("the cat sat on the mat. ", 200));
        string error = CliRunner.AssertUserError(CliRunner.Run("generate", "--model", stories.Path, "--prompt", prompt));
        Assert.Contains("context length of 512", error);
    }

    private static string FindSpec(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "specs", name);
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException($"specs/{name} not found above {AppContext.BaseDirectory}");
    }
}
