using LlamaGen.Kernels;
using LlamaGen.TestSupport;
using LlamaGen.TestSupport.Reference;

namespace LlamaGen.Cli.Tests;

/// <summary>
/// <c>--isa</c>: every ISA this CPU runs gives llama2.c's golden text exactly, <c>--verbose</c> names the kernels that run
/// on stderr only, and an ISA the CPU cannot run is one clear error line.
/// </summary>
public class VerboseCliTests(Stories260KGguf stories) : IClassFixture<Stories260KGguf>
{
    public static TheoryData<KernelIsa> SupportedIsas() => new(KernelSupport.Supported);

    [Theory]
    [MemberData(nameof(SupportedIsas))]
    public void EveryIsaGivesTheGoldenTextAndVerboseNamesIt(KernelIsa isa)
    {
        var golden = GoldenOutput.Load(ReferenceFixtures.Stories260KGolden);
        CliRunner.Result result = CliRunner.Run("generate", "--model", stories.Path, "--prompt", "",
            "--temperature", "0", "--max-tokens", golden.Steps.ToString(), "--isa", isa.ToString().ToLowerInvariant(), "--verbose");

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal(golden.ReferenceText, result.Stdout);
        Assert.Contains($"\nkernels: {isa} (best available: {KernelSupport.Best}; ", result.Stderr);
        // The line of instruction sets lists what IsSupported reports, e.g. Avx2 exactly when the AVX2 kernels may run.
        string sets = result.Stderr.Split('\n').Single(line => line.StartsWith("instruction sets: ", StringComparison.Ordinal));
        Assert.Equal(KernelSupport.IsSupported(KernelIsa.Avx2), sets.Split(' ').Contains("Avx2"));
        Assert.Equal(KernelSupport.IsSupported(KernelIsa.Avx512), sets.Split(' ').Contains("Avx512BW"));
        Assert.Contains("\nmodel loaded in ", result.Stderr);
    }

    [Fact]
    public void WithoutIsaTheBestRuns()
    {
        CliRunner.Result result = CliRunner.Run("generate", "--model", stories.Path, "--prompt", "", "--max-tokens", "4", "--verbose");
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains($"\nkernels: {KernelSupport.Best} (best available: {KernelSupport.Best}; ", result.Stderr);
    }

    [Fact]
    public void AnIsaTheCpuCannotRunIsOneErrorLine()
    {
        KernelIsa[] missing = Enum.GetValues<KernelIsa>().Where(i => !KernelSupport.IsSupported(i)).ToArray();
        Assert.NotEmpty(missing); // no CPU runs both NEON and AVX2
        foreach (string command in new[] { "generate", "bench", "perplexity" })
        {
            string[] args = command switch
            {
                "generate" => ["generate", "--model", stories.Path, "--max-tokens", "1"],
                "bench" => ["bench", "--model", stories.Path, "--prompt", "4", "--gen", "2", "--reps", "1"],
                _ => ["perplexity", "--model", stories.Path, "--text", TinyStoryText.Path],
            };
            string error = CliRunner.AssertUserError(CliRunner.Run([.. args, "--isa", missing[0].ToString().ToLowerInvariant()]));
            Assert.Contains($"--isa {missing[0].ToString().ToLowerInvariant()}: this CPU cannot run {missing[0]} kernels", error);
        }
        string unknown = CliRunner.AssertUserError(CliRunner.Run("generate", "--model", stories.Path, "--isa", "sse9"));
        Assert.Contains("sse9", unknown);
    }

    [Theory]
    [MemberData(nameof(SupportedIsas))]
    public void BenchAndPerplexityRunOnEveryIsa(KernelIsa isa)
    {
        string name = isa.ToString().ToLowerInvariant();
        CliRunner.Result bench = CliRunner.Run("bench", "--model", stories.Path, "--prompt", "8", "--gen", "4", "--reps", "1", "--isa", name, "--json");
        Assert.True(bench.ExitCode == 0, bench.Stderr);
        Assert.Contains($"\"isa\":\"{isa}\"", bench.Stdout.Replace(" ", ""), StringComparison.OrdinalIgnoreCase);
        CliRunner.Result perplexity = CliRunner.Run("perplexity", "--model", stories.Path, "--text", TinyStoryText.Path, "--isa", name);
        Assert.True(perplexity.ExitCode == 0, perplexity.Stderr);
        Assert.Contains($"kernels {isa}", perplexity.Stderr);
    }
}
