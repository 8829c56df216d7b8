using LlamaGen.Runtime.Tests.Models;
using LlamaGen.Runtime.Tests.Reference;
using LlamaGen.Kernels;

namespace LlamaGen.Runtime.Tests.Cli;

/// <summary><c>generate --verbose</c> names the kernel ISA that runs on stderr and leaves stdout the generated text alone.</summary>
[Collection(KernelDispatchCollection.Name)]
public class VerboseCliTests(Stories260KGguf stories) : IClassFixture<Stories260KGguf>
{
    public static TheoryData<KernelIsa> SupportedIsas() => new(KernelDispatch.Supported);

    [Theory]
    [MemberData(nameof(SupportedIsas))]
    public void VerboseNamesTheRunningKernelIsaOnStderrOnly(KernelIsa isa)
    {
        var golden = GoldenOutput.Load(ReferenceFixtures.Stories260KGolden);
        CliRunner.Result result = null!;
        KernelDispatch.With(isa, () => result = CliRunner.Run("generate", "--model", stories.Path, "--prompt", "",
            "--temperature", "0", "--max-tokens", golden.Steps.ToString(), "--verbose"));

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal(golden.ReferenceText, result.Stdout);
        Assert.Contains($"\nkernels: {isa} (best available: {KernelDispatch.Best}; ", result.Stderr);
        // The line of instruction sets lists what IsSupported reports, e.g. Avx2 exactly when the AVX2 kernels may run.
        string sets = result.Stderr.Split('\n').Single(line => line.StartsWith("instruction sets: ", StringComparison.Ordinal));
        Assert.Equal(KernelDispatch.IsSupported(KernelIsa.Avx2), sets.Split(' ').Contains("Avx2"));
        Assert.Equal(KernelDispatch.IsSupported(KernelIsa.Avx512), sets.Split(' ').Contains("Avx512BW"));
        Assert.Contains("\nmodel loaded in ", result.Stderr);
    }
}
