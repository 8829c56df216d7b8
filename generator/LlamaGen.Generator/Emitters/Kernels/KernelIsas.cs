using LlamaGen.Generator.Helpers;
using LlamaGen.Generator.Shared;

namespace LlamaGen.Generator.Emitters.Kernels;

/// <summary>Per-ISA facts the kernel emitters share: class names, the float vector type, the guard statement.</summary>
internal static class KernelIsas
{
    public static readonly KernelIsa[] All = { KernelIsa.Scalar, KernelIsa.Vector128, KernelIsa.Neon, KernelIsa.Avx2, KernelIsa.Avx512 };

    /// <summary>
    /// The x86 classes take the AVX-VNNI choice as a type argument (<c>LlamaGen.Kernels.IAvxVnniChoice</c>): a NativeAOT
    /// binary for x86-64-v3/v4 cannot fold <c>AvxVnni.IsSupported</c>, a struct type argument it can.
    /// </summary>
    public static bool TakesVnniChoice(KernelIsa isa) => isa is KernelIsa.Avx2 or KernelIsa.Avx512;

    /// <summary>The type parameter of the x86 classes, and its constraint.</summary>
    public const string VnniParameter = "TVnni";
    public const string VnniConstraint = "where TVnni : struct, global::LlamaGen.Kernels.IAvxVnniChoice";

    /// <summary>The condition, folded per instantiation, under which an x86 kernel or helper uses AVX-VNNI.</summary>
    public const string UsesVnni = "typeof(TVnni) == typeof(global::LlamaGen.Kernels.WithAvxVnni)";

    /// <summary>The generated class holding the kernels of <paramref name="isa"/>, e.g. <c>Avx2Kernels&lt;TVnni&gt;</c>.</summary>
    public static string KernelClass(KernelIsa isa) => isa + "Kernels" + TypeArguments(isa);

    /// <summary>The generated class holding the helpers of <paramref name="isa"/>, e.g. <c>Avx2KernelHelpers&lt;TVnni&gt;</c>.</summary>
    public static string HelperClass(KernelIsa isa) => isa + "KernelHelpers" + TypeArguments(isa);

    /// <summary>A class declaration's name and constraint: <c>Avx2Kernels&lt;TVnni&gt; where TVnni : ...</c>.</summary>
    public static string Declaration(string className, KernelIsa isa) =>
        TakesVnniChoice(isa) ? className + " " + VnniConstraint : className;

    private static string TypeArguments(KernelIsa isa) => TakesVnniChoice(isa) ? "<" + VnniParameter + ">" : "";

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
    /// constant, so the check costs nothing; in a NativeAOT binary it is one test per kernel call.
    /// </summary>
    public static void EmitGuard(SourceWriter w, KernelIsa isa)
    {
        switch (isa)
        {
            case KernelIsa.Avx2:
                w.Line("if (!Avx2.IsSupported || !Fma.IsSupported) throw new PlatformNotSupportedException(\"AVX2 and FMA are required.\");");
                w.Line($"if ({UsesVnni} && !AvxVnni.IsSupported) throw new PlatformNotSupportedException(\"AVX-VNNI is required.\");");
                break;
            case KernelIsa.Avx512:
                w.Line("if (!Avx512F.IsSupported || !Avx512BW.IsSupported) throw new PlatformNotSupportedException(\"AVX-512 F and BW are required.\");");
                w.Line($"if ({UsesVnni} && !AvxVnni.IsSupported) throw new PlatformNotSupportedException(\"AVX-VNNI is required.\");");
                break;
            case KernelIsa.Neon:
                w.Line("if (!AdvSimd.Arm64.IsSupported) throw new PlatformNotSupportedException(\"AdvSimd (NEON) on Arm64 is required.\");");
                break;
        }
    }
}
