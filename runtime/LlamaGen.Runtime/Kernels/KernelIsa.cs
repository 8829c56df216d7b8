// Shared source: compiled into the runtime (public, LlamaGen.Kernels) and linked into the generator (internal,
// LlamaGen.Generator.Shared), which emits one kernel variant per member. netstandard2.0-safe C#.
#if LLAMAGEN_GENERATOR
namespace LlamaGen.Generator.Shared;
#else
namespace LlamaGen.Kernels;
#endif

/// <summary>The instruction-set variants the generator emits for each kernel, from slowest to fastest.</summary>
#if LLAMAGEN_GENERATOR
internal
#else
public
#endif
enum KernelIsa
{
    /// <summary>Plain C# loops: the reference the others are checked against; runs anywhere.</summary>
    Scalar = 0,

    /// <summary>Portable 128-bit <c>Vector128</c> code (SSE on x86, AdvSimd on arm64, or software elsewhere).</summary>
    Vector128 = 1,

    /// <summary>arm64 AdvSimd intrinsics; the quantized kernels use <c>sdot</c> where the CPU has it.</summary>
    Neon = 2,

    /// <summary>x86 AVX2 and FMA; the quantized kernels use AVX-VNNI's <c>vpdpbusd</c> where the CPU has it.</summary>
    Avx2 = 3,

    /// <summary>x86 AVX-512 F and BW (512-bit float kernels; the integer kernels are the 256-bit ones with 32 registers).</summary>
    Avx512 = 4,
}
