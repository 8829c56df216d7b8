using System.Globalization;
using System.Text.Json;
using LlamaGen.TestSupport.Reference;
using LlamaGen.TestSupport;

namespace LlamaGen.Cli.Tests;

/// <summary><c>llamagen perplexity</c> on samples/data/tinystory.txt against the scalar reference's own perplexity.</summary>
public class PerplexityCliTests(Stories260KGguf stories) : IClassFixture<Stories260KGguf>
{
    private const double RelativeTolerance = 1e-4; // see PerplexityEvaluatorTests

    [Fact]
    public void JsonLineMatchesTheReference()
    {
        var result = CliRunner.Run("perplexity", "--model", stories.Path, "--text", TinyStoryText.Path, "--context", "256", "--json", "-t", "1");
        Assert.True(result.ExitCode == 0, result.Stderr);

        // The file ends with a newline, which is dropped as llama.cpp's -f drops it.
        int[] tokens = Tok512.Tokenizer.Encode(TinyStoryText.Text, addBos: true);
        var expected = ReferencePerplexity.Compute(
            ReferenceLlamaWeights.LoadLlama2C(ReferenceFixtures.Stories260KModel), tokens, 256, secondHalfOnly: true);

        Assert.EndsWith("\n", result.Stdout);
        Assert.DoesNotContain("\n", result.Stdout.TrimEnd('\n'));
        using var json = JsonDocument.Parse(result.Stdout);
        var root = json.RootElement;
        double perplexity = root.GetProperty("perplexity").GetDouble();
        Assert.True(Math.Abs(perplexity - expected.Perplexity) / expected.Perplexity < RelativeTolerance,
            $"perplexity {perplexity:F6}, reference {expected.Perplexity:F6}");
        Assert.Equal(expected.TokensScored, root.GetProperty("tokens_scored").GetInt32());
        Assert.Equal(expected.Windows, root.GetProperty("windows").GetInt32());
        Assert.Equal(256, root.GetProperty("context").GetInt32());
        Assert.Equal("second-half", root.GetProperty("scoring").GetString());
        Assert.Equal(tokens.Length, root.GetProperty("text_tokens").GetInt32());
        Assert.True(root.GetProperty("tokens_per_second").GetDouble() > 0);
        Assert.Contains("tokens/s", result.Stderr);
    }

    [Fact]
    public void TextLineReportsPerplexityTokensAndWindows()
    {
        var json = CliRunner.Run("perplexity", "--model", stories.Path, "--text", TinyStoryText.Path, "--score", "all", "--json");
        var text = CliRunner.Run("perplexity", "--model", stories.Path, "--text", TinyStoryText.Path, "--score", "all");
        Assert.True(text.ExitCode == 0, text.Stderr);

        using var document = JsonDocument.Parse(json.Stdout);
        var root = document.RootElement;
        string perplexity = root.GetProperty("perplexity").GetDouble().ToString("F4", CultureInfo.InvariantCulture);
        int scored = root.GetProperty("tokens_scored").GetInt32();
        Assert.StartsWith($"perplexity {perplexity} +/- ", text.Stdout);
        Assert.Contains($"over {scored} tokens (2 windows of 512 tokens, all scored)", text.Stdout);
        Assert.Contains("evaluation: ", text.Stderr);
    }

    [Fact]
    public void OneTrailingNewlineIsDropped()
    {
        string withNewline = Path.Combine(stories.Directory, "story-newline.txt");
        string without = Path.Combine(stories.Directory, "story-plain.txt");
        string twoNewlines = Path.Combine(stories.Directory, "story-two-newlines.txt");
        const string story = "Once upon a time, there was a little girl named Lily. She loved to play outside in the park.";
        File.WriteAllText(withNewline, story + "\n");
        File.WriteAllText(without, story);
        File.WriteAllText(twoNewlines, story + "\n\n");

        string Run(string path) => CliRunner.Run("perplexity", "--model", stories.Path, "--text", path, "--json").Stdout;
        using var a = JsonDocument.Parse(Run(withNewline));
        using var b = JsonDocument.Parse(Run(without));
        using var c = JsonDocument.Parse(Run(twoNewlines));
        Assert.Equal(b.RootElement.GetProperty("perplexity").GetDouble(), a.RootElement.GetProperty("perplexity").GetDouble());
        // Guards the comparison above: one more newline is one more token.
        Assert.Equal(b.RootElement.GetProperty("text_tokens").GetInt32() + 1, c.RootElement.GetProperty("text_tokens").GetInt32());
    }

    [Theory]
    [InlineData("600", "--context", "context length of 512")]
    [InlineData("2", "--context", "scores no token")]
    public void BadContextIsOneErrorLineNamingTheOption(string value, string named, string message)
    {
        string error = CliRunner.AssertUserError(CliRunner.Run("perplexity", "--model", stories.Path, "--text", TinyStoryText.Path, "--context", value));
        Assert.Contains(named, error);
        Assert.Contains(message, error);
    }

    [Fact]
    public void ShortTextIsOneErrorLineNamingTheFile()
    {
        string path = Path.Combine(stories.Directory, "short.txt");
        File.WriteAllText(path, "Hi.");
        string error = CliRunner.AssertUserError(CliRunner.Run("perplexity", "--model", stories.Path, "--text", path, "--context", "64"));
        Assert.Contains("--context", error);
        Assert.Contains("shorter than one window of 64", error);
    }

    [Fact]
    public void MissingTextFileIsOneErrorLineNamingIt()
    {
        string path = Path.Combine(stories.Directory, "no-such-text.txt");
        string error = CliRunner.AssertUserError(CliRunner.Run("perplexity", "--model", stories.Path, "--text", path));
        Assert.Contains(path, error);
        Assert.Contains("not found", error);
    }

    [Fact]
    public void InvalidUtf8IsOneErrorLine()
    {
        string path = Path.Combine(stories.Directory, "latin1.txt");
        File.WriteAllBytes(path, [0x63, 0x61, 0x66, 0xE9, 0x20, 0x61]);
        string error = CliRunner.AssertUserError(CliRunner.Run("perplexity", "--model", stories.Path, "--text", path));
        Assert.Contains("UTF-8", error);
    }

    [Fact]
    public void UnknownScoringIsOneErrorLine()
    {
        string error = CliRunner.AssertUserError(CliRunner.Run("perplexity", "--model", stories.Path, "--text", TinyStoryText.Path, "--score", "first-half"));
        Assert.Contains("first-half", error);
    }
}
