using LlamaGen.Generator.Helpers;
using LlamaGen.Generator.Shared;

namespace LlamaGen.Generator.Emitters.Kernels;

/// <summary>Per-ISA facts the kernel emitters share: class names, the float vector type, the guard statement.</summary>
internal static class KernelIsas
{
    public static readonly KernelIsa[] All = { KernelIsa.Scalar, KernelIsa.Vector128, KernelIsa.Neon, KernelIsa.Avx2, KernelIsa.Avx512 };

    /// <summary>The generated class holding the kernels of <paramref name="isa"/>, e.g. <c>Avx2Kernels</c>.</summary>
    public static string KernelClass(KernelIsa isa) => isa + "Kernels";

    /// <summary>The generated class holding the helpers of <paramref name="isa"/>, e.g. <c>Avx2KernelHelpers</c>.</summary>
    public static string HelperClass(KernelIsa isa) => isa + "KernelHelpers";

    /// <summary>The float vector the float kernels of <paramref name="isa"/> use.</summary>
    public static string FloatVector(KernelIsa isa) => isa switch
    {
        KernelIsa.Avx512 => "Vector512",
        KernelIsa.Avx2 => "Vector256",
        _ => "Vector128",
    };

    /// <summary>Floats per vector of <see cref="FloatVector"/>.</summary>
    public static int FloatLanes(KernelIsa isa) => isa switch { KernelIsa.Avx512 => 16, KernelIsa.Avx2 => 8, _ => 4 };

    /// <summary>What the CPU must have, as the guard's message says it.</summary>
    public static string Description(KernelIsa isa) => isa switch
    {
        KernelIsa.Avx2 => "AVX2 and FMA",
        KernelIsa.Avx512 => "AVX-512 F and BW",
        KernelIsa.Neon => "AdvSimd (NEON) on Arm64",
        KernelIsa.Vector128 => "Vector128",
        _ => "nothing",
    };

    /// <summary>
    /// The first statement of a kernel: an ISA the CPU lacks throws <see cref="System.PlatformNotSupportedException"/>
    /// rather than faulting on an unsupported instruction (Scalar and Vector128 run anywhere). IsSupported is a JIT-time
    /// constant, so the check costs nothing.
    /// </summary>
    public static void EmitGuard(SourceWriter w, KernelIsa isa)
    {
        switch (isa)
        {
            case KernelIsa.Avx2:
                w.Line("if (!Avx2.IsSupported || !Fma.IsSupported) throw new PlatformNotSupportedException(\"AVX2 and FMA are required.\");");
                break;
            case KernelIsa.Avx512:
                w.Line("if (!Avx512F.IsSupported || !Avx512BW.IsSupported) throw new PlatformNotSupportedException(\"AVX-512 F and BW are required.\");");
                break;
            case KernelIsa.Neon:
                w.Line("if (!AdvSimd.Arm64.IsSupported) throw new PlatformNotSupportedException(\"AdvSimd (NEON) on Arm64 is required.\");");
                break;
        }
    }
}
