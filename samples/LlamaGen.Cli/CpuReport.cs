using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using LlamaGen.Kernels;

namespace LlamaGen.Cli;

/// <summary>
/// What <c>generate --verbose</c> says about the kernels: which ISA variant runs, which instruction sets this process
/// may use, and whether it runs JIT-compiled or as a NativeAOT binary.
/// </summary>
/// <remarks>
/// Under the JIT the <c>IsSupported</c> properties describe the CPU. In a NativeAOT binary they describe the CPU
/// <i>and</i> the instruction set the binary was compiled for (<c>IlcInstructionSet</c>): a binary published
/// without one targets baseline x86-64 (SSE4.2 at most), where <c>Avx2.IsSupported</c> is false on any CPU and
/// the kernels run their Vector128 variant. CPUID is read directly to point that out.
/// </remarks>
internal static class CpuReport
{
    public static void Write(TextWriter output, KernelIsa isa)
    {
        string runtime = RuntimeFeature.IsDynamicCodeCompiled ? $"JIT ({RuntimeInformation.FrameworkDescription})" : "NativeAOT";
        output.WriteLine($"kernels: {isa} (best available: {KernelSupport.Best}; {runtime}, {RuntimeInformation.ProcessArchitecture})");
        output.WriteLine($"instruction sets: {string.Join(' ', UsableInstructionSets())}");
        if (Avx512OnCpuButNotUsable())
            output.WriteLine("note: the CPU has AVX-512 (CPUID) but this binary cannot use it; publish with -p:PublishProfile=x64-v4 or native");
        else if (Avx2OnCpuButNotUsable())
            output.WriteLine("note: the CPU has AVX2 (CPUID) but this binary cannot use it; publish with -p:PublishProfile=x64-v3 or native");
    }

    /// <summary>The instruction sets the kernels can choose from in this process, widest first.</summary>
    private static IEnumerable<string> UsableInstructionSets()
    {
        if (Avx512F.IsSupported) yield return "Avx512F";
        if (Avx512BW.IsSupported) yield return "Avx512BW";
        if (Avx512Vbmi.IsSupported) yield return "Avx512Vbmi";
        if (AvxVnni.IsSupported) yield return "AvxVnni";
        if (Avx2.IsSupported) yield return "Avx2";
        if (Fma.IsSupported) yield return "Fma";
        if (Avx.IsSupported) yield return "Avx";
        if (Sse42.IsSupported) yield return "Sse42";
        if (AdvSimd.Arm64.IsSupported) yield return "AdvSimd";
        if (Dp.IsSupported) yield return "Dp";
        if (Rdm.IsSupported) yield return "Rdm";
        if (!Vector128.IsHardwareAccelerated) yield return "(no SIMD: scalar kernels)";
    }

    // CPUID leaf 7, sub-leaf 0: EBX bit 5 = AVX2, bit 16 = AVX512F, bit 30 = AVX512BW. This says what the CPU has,
    // not whether the OS saves the wider registers; it only chooses the hint, never the kernels.
    private static bool Avx512OnCpuButNotUsable() =>
        X86Base.IsSupported && !(Avx512F.IsSupported && Avx512BW.IsSupported) && (CpuidLeaf7Ebx() & (1 << 16 | 1 << 30)) == (1 << 16 | 1 << 30);

    private static bool Avx2OnCpuButNotUsable() =>
        X86Base.IsSupported && !Avx2.IsSupported && (CpuidLeaf7Ebx() & (1 << 5)) != 0;

    private static int CpuidLeaf7Ebx()
    {
        if (X86Base.CpuId(0, 0).Eax < 7) return 0;
        return X86Base.CpuId(7, 0).Ebx;
    }
}
