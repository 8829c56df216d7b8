using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace LlamaGen.Kernels;

/// <summary>
/// Chooses which ISA variant of the generated kernels runs. <see cref="Best"/> is what this CPU supports;
/// <see cref="Current"/> may be lowered (tests force the AVX2, Vector128 and scalar paths this way). On arm64
/// <see cref="KernelIsa.Neon"/> (AdvSimd.Arm64, which every arm64 CPU .NET supports) is the best; its quantized
/// kernels use sdot where the CPU has it (Dp.IsSupported, a JIT-time constant inside the kernel).
/// </summary>
public static class KernelDispatch
{
    public static KernelIsa Best { get; } = Detect();

    private static KernelIsa current = Best;

    public static KernelIsa Current
    {
        get => current;
        set
        {
            if (!IsSupported(value))
                throw new PlatformNotSupportedException($"Kernel ISA {value} is not supported on this CPU (best: {Best}).");
            current = value;
        }
    }

    public static bool IsSupported(KernelIsa isa) => isa switch
    {
        KernelIsa.Scalar => true,
        KernelIsa.Vector128 => Vector128.IsHardwareAccelerated,
        KernelIsa.Neon => AdvSimd.Arm64.IsSupported,
        KernelIsa.Avx2 => Avx2.IsSupported && Fma.IsSupported,
        KernelIsa.Avx512 => Avx512F.IsSupported && Avx512BW.IsSupported,
        _ => false,
    };

    /// <summary>Every ISA this CPU can run, for tests that compare each variant with the scalar reference.</summary>
    public static IReadOnlyList<KernelIsa> Supported { get; } =
        Enum.GetValues<KernelIsa>().Where(IsSupported).ToArray();

    private static KernelIsa Detect()
    {
        if (IsSupported(KernelIsa.Avx512)) return KernelIsa.Avx512;
        if (IsSupported(KernelIsa.Avx2)) return KernelIsa.Avx2;
        if (IsSupported(KernelIsa.Neon)) return KernelIsa.Neon;
        if (IsSupported(KernelIsa.Vector128)) return KernelIsa.Vector128;
        return KernelIsa.Scalar;
    }

    /// <summary>Runs <paramref name="action"/> with <see cref="Current"/> set to <paramref name="isa"/>, then restores it.</summary>
    public static void With(KernelIsa isa, Action action)
    {
        var saved = Current;
        Current = isa;
        try { action(); }
        finally { current = saved; }
    }
}
