using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.Arm;
using LlamaGen.Kernels;

namespace LlamaGen.Runtime.Tests.Kernels;

/// <summary>
/// Guards for the arm64 CI run (qemu user-mode emulation, see .ci/arm64-tests.sh): the kernel tests only prove
/// something about NEON if the process really is arm64, really selected the NEON variants, and really had (or lacked)
/// the sdot instruction the run was meant to exercise. Without these, a run that silently fell back to Vector128 or
/// scalar kernels, or a qemu CPU model with different features, would still pass.
/// </summary>
public sealed class NeonDispatchTests
{
    /// <summary>Set by .ci/arm64-tests.sh: "1" for the qemu CPU with FEAT_DotProd, "0" for the one without.</summary>
    private const string ExpectDpVariable = "LLAMAGEN_EXPECT_DP";

    [Fact]
    public void Arm64SelectsTheNeonKernels()
    {
        Assert.SkipUnless(RuntimeInformation.ProcessArchitecture == Architecture.Arm64, $"Not an arm64 process ({RuntimeInformation.ProcessArchitecture}).");
        Assert.True(AdvSimd.Arm64.IsSupported, "AdvSimd.Arm64 must be supported on every arm64 CPU .NET runs on.");
        Assert.Equal(KernelIsa.Neon, KernelSupport.Best);
        Assert.Contains(KernelIsa.Neon, KernelSupport.Supported);
        Assert.Contains(KernelIsa.Vector128, KernelSupport.Supported);
        Assert.DoesNotContain(KernelIsa.Avx2, KernelSupport.Supported);
    }

    [Fact]
    public void DotProductSupportMatchesWhatTheRunExpects()
    {
        string? expected = Environment.GetEnvironmentVariable(ExpectDpVariable);
        Assert.SkipWhen(string.IsNullOrEmpty(expected), $"{ExpectDpVariable} is not set (only the arm64 CI run sets it).");
        Assert.True(expected is "0" or "1", $"{ExpectDpVariable} must be 0 or 1, not '{expected}'.");
        Assert.Equal(Architecture.Arm64, RuntimeInformation.ProcessArchitecture);
        Assert.True(Dp.IsSupported == (expected == "1"),
            $"Dp.IsSupported is {Dp.IsSupported} but {ExpectDpVariable}={expected}: the emulated CPU does not have the features this run is meant to test.");
    }

    [Fact]
    public void X86NeverListsNeon()
    {
        Assert.SkipUnless(RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.X86, "Not an x86 process.");
        Assert.DoesNotContain(KernelIsa.Neon, KernelSupport.Supported);
        Assert.Throws<PlatformNotSupportedException>(() => KernelSupport.ThrowIfUnsupported(KernelIsa.Neon));
    }
}
