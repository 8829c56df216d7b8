using LlamaGen.TestSupport.Reference;
using LlamaGen.TestSupport;

namespace LlamaGen.Cli.Tests;

/// <summary>
/// <c>llamagen generate --print-ids</c> against greedy ids computed independently by the scalar reference forward
/// pass (<see cref="ReferenceLlama"/>, itself checked against llama2.c's printed story).
/// </summary>
public class GeneratePrintIdsTests(Stories260KGguf stories) : IClassFixture<Stories260KGguf>
{
    [Fact]
    public void GreedyIdsFromBosAreTheGoldenContinuation()
    {
        var golden = GoldenOutput.Load(ReferenceFixtures.Stories260KGolden);
        var reference = new ReferenceLlama(ReferenceLlamaWeights.LoadLlama2C(ReferenceFixtures.Stories260KModel));
        List<int> expected = golden.GreedyIds((token, pos) => reference.Forward(token, pos));

        // llama2.c's steps count positions from BOS, each of which yields one token.
        var result = CliRunner.Run("generate", "--model", stories.Path, "--temperature", "0", "--max-tokens", golden.Steps.ToString(), "--print-ids", "-t", "1");

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal(string.Join(' ', expected) + "\n", result.Stdout);
    }

    [Fact]
    public void PromptIdsAreNotPrinted()
    {
        const string prompt = "The cat sat on the mat, and";
        const int count = 48;
        int[] promptIds = Tok512.Tokenizer.Encode(prompt, addBos: true);
        var reference = new ReferenceLlama(ReferenceLlamaWeights.LoadLlama2C(ReferenceFixtures.Stories260KModel));
        float[] logits = [];
        for (int pos = 0; pos < promptIds.Length; pos++)
            logits = reference.Forward(promptIds[pos], pos);
        var expected = new List<int>();
        for (int pos = promptIds.Length; expected.Count < count; pos++)
        {
            int next = ReferenceLlama.ArgMax(logits);
            if (next is 1 or 2) break; // BOS or EOS ends the run and is not printed
            expected.Add(next);
            logits = reference.Forward(next, pos);
        }

        var result = CliRunner.Run("generate", "--model", stories.Path, "--prompt", prompt, "--temperature", "0", "--max-tokens", count.ToString(), "--print-ids");

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal(string.Join(' ', expected) + "\n", result.Stdout);
        Assert.Contains($"generation: {expected.Count} tokens", result.Stderr);
    }

    [Fact]
    public void NoTokensIsAnEmptyLine()
    {
        var result = CliRunner.Run("generate", "--model", stories.Path, "--max-tokens", "0", "--print-ids");
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal("\n", result.Stdout);
    }
}
