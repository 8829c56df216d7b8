using LlamaGen.Gguf;
using LlamaGen.Quantization;
using LlamaGen.TestSupport;

namespace LlamaGen.Cli.Tests;

/// <summary><c>llamagen quantize</c> in-process: output, progress lines and one-line errors.</summary>
public class QuantizeCommandTests(Stories260KGguf stories) : IClassFixture<Stories260KGguf>
{
    [Fact]
    public void QuantizeWritesTheFileAndOneLinePerTensor()
    {
        string output = Path.Combine(stories.Directory, "cli-q4_k_m.gguf");
        var result = CliRunner.Run("quantize", "--input", stories.Path, "--output", output, "--type", "q4_k");
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal("", result.Stdout);
        using var file = GgufFile.Open(output);
        Assert.Equal(15u, file.GetUInt32("general.file_type")); // q4_k is llama-quantize's alias of Q4_K_M
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(file.Tensors.Count, lines.Count(l => l.StartsWith('[')));
        Assert.Contains(lines, l => l.Contains("blk.0.ffn_down.weight") && l.Contains("f32 -> f16") && l.Contains("fallback"));
        Assert.Contains(lines, l => l.Contains("blk.0.attn_norm.weight") && l.Contains("f32 (copied)"));
        Assert.Contains(lines, l => l.StartsWith("wrote ") && l.Contains("q4_k_m"));
        Assert.Equal(GgmlType.Q8_0, file.Tensors.Single(t => t.Name == "token_embd.weight").Type);
    }

    [Fact]
    public void UnknownTypeIsOneErrorLineListingTheTypes()
    {
        string error = CliRunner.AssertUserError(CliRunner.Run("quantize", "--input", stories.Path, "--output", "x.gguf", "--type", "q4_k_x"));
        Assert.Contains("'q4_k_x'", error);
        Assert.Contains("q4_k_m", error);
    }

    [Fact]
    public void ExistingOutputNeedsForce()
    {
        string output = Path.Combine(stories.Directory, "cli-exists.gguf");
        File.WriteAllText(output, "keep");
        string error = CliRunner.AssertUserError(CliRunner.Run("quantize", "-i", stories.Path, "-o", output, "--type", "q8_0"));
        Assert.Contains("--force", error);
        Assert.Equal("keep", File.ReadAllText(output));
        var result = CliRunner.Run("quantize", "-i", stories.Path, "-o", output, "--type", "q8_0", "--force");
        Assert.True(result.ExitCode == 0, result.Stderr);
        using var file = GgufFile.Open(output);
        Assert.Equal(7u, file.GetUInt32("general.file_type"));
    }

    [Fact]
    public void MissingInputIsOneErrorLineNamingIt()
    {
        string error = CliRunner.AssertUserError(CliRunner.Run("quantize", "-i", "no-such.gguf", "-o", "x.gguf", "--type", "q8_0"));
        Assert.Contains("no-such.gguf", error);
    }

    [Fact]
    public void RequantizingIsRefusedWithAnErrorNamingTheTensor()
    {
        string q8 = Path.Combine(stories.Directory, "cli-q8.gguf");
        Assert.Equal(0, CliRunner.Run("quantize", "-i", stories.Path, "-o", q8, "--type", "q8_0", "--force").ExitCode);
        string output = Path.Combine(stories.Directory, "cli-requantized.gguf");
        string error = CliRunner.AssertUserError(CliRunner.Run("quantize", "-i", q8, "-o", output, "--type", "q4_0"));
        // token_embd stays Q8_0 (tied, 64 wide), so it is copied; the first tensor that needs requantizing is named.
        Assert.Contains("blk.0.attn_q.weight", error);
        Assert.Contains("--allow-requantize", error);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void CancelledRunExitsWith130AndLeavesNoFile()
    {
        string output = Path.Combine(stories.Directory, "cli-cancelled.gguf");
        var stderr = new StringWriter { NewLine = "\n" };
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();
        int exitCode = LlamaGen.Cli.Program.Run(["quantize", "-i", stories.Path, "-o", output, "--type", "q4_0"],
            new MemoryStream(), new StringWriter(), stderr, cancellation.Token);
        Assert.Equal(LlamaGen.Cli.Program.Cancelled, exitCode);
        Assert.Contains("cancelled", stderr.ToString());
        Assert.False(File.Exists(output));
        Assert.False(File.Exists(output + ".tmp"));
    }
}
