using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace LlamaGen.Kernels;

/// <summary>
/// Which kernel ISAs this CPU (and process) can run. A model picks its ISA when it is loaded
/// (<c>ModelLoadOptions.Isa</c>, default <see cref="Best"/>); nothing here can be changed. On arm64
/// <see cref="KernelIsa.Neon"/> (AdvSimd.Arm64, which every arm64 CPU .NET supports) is the best; its quantized kernels
/// use sdot where the CPU has it (Dp.IsSupported, a JIT-time constant inside the kernel).
/// </summary>
public static class KernelSupport
{
    /// <summary>The fastest ISA this CPU runs.</summary>
    public static KernelIsa Best { get; } = Detect();

    public static bool IsSupported(KernelIsa isa) => isa switch
    {
        KernelIsa.Scalar => true,
        KernelIsa.Vector128 => Vector128.IsHardwareAccelerated,
        KernelIsa.Neon => AdvSimd.Arm64.IsSupported,
        KernelIsa.Avx2 => Avx2.IsSupported && Fma.IsSupported,
        KernelIsa.Avx512 => Avx512F.IsSupported && Avx512BW.IsSupported,
        _ => false,
    };

    /// <summary>Every ISA this CPU can run, slowest first.</summary>
    public static IReadOnlyList<KernelIsa> Supported { get; } =
        Enum.GetValues<KernelIsa>().Where(IsSupported).ToArray();

    /// <summary>Throws <see cref="PlatformNotSupportedException"/> naming <paramref name="isa"/> and the ISAs this CPU runs.</summary>
    public static void ThrowIfUnsupported(KernelIsa isa)
    {
        if (!Enum.IsDefined(isa))
            throw new ArgumentOutOfRangeException(nameof(isa), isa, $"Unknown kernel ISA; use one of {string.Join(", ", Enum.GetNames<KernelIsa>())}.");
        if (!IsSupported(isa))
            throw new PlatformNotSupportedException(
                $"Kernel ISA {isa} is not supported on this CPU; it runs {string.Join(", ", Supported)} (best: {Best}).");
    }

    /// <summary>The ISA named <paramref name="name"/> (any case: scalar, vector128, neon, avx2, avx512).</summary>
    public static bool TryParse(string name, out KernelIsa isa) =>
        Enum.TryParse(name, ignoreCase: true, out isa) && Enum.IsDefined(isa) && !int.TryParse(name, out _);

    private static KernelIsa Detect()
    {
        if (IsSupported(KernelIsa.Avx512)) return KernelIsa.Avx512;
        if (IsSupported(KernelIsa.Avx2)) return KernelIsa.Avx2;
        if (IsSupported(KernelIsa.Neon)) return KernelIsa.Neon;
        if (IsSupported(KernelIsa.Vector128)) return KernelIsa.Vector128;
        return KernelIsa.Scalar;
    }
}
