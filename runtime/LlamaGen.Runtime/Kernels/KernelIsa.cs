namespace LlamaGen.Kernels;

/// <summary>The instruction-set variants the generator emits for each kernel, from slowest to fastest.</summary>
public enum KernelIsa
{
    Scalar = 0,
    Vector128 = 1,
    Neon = 2,
    Avx2 = 3,
    Avx512 = 4,
}
