using BenchmarkDotNet.Attributes;
using LlamaGen.Generated;
using LlamaGen.Kernels;
using LlamaGen.Quantization;

namespace LlamaGen.Bench;

/// <summary>
/// What compile-time shapes buy: each kernel family's generated kernel with the row length as a constant
/// (<c>MatVec_Q4_0_4096</c>: every trip count a literal) against the same code with it as a parameter
/// (<c>MatVec_Q4_0(..., columns)</c>, emitted for this project by <c>LlamaGenRuntimeShapeKernels</c>), at the Llama 2 7B
/// and 13B shapes, one token (decode: a matrix-vector product) and a 64-token prompt chunk (the batched product), one
/// thread, the CPU's best ISA. Families: float weights (F16), the 32-element blocks (Q8_0, Q4_0) and the K-quants (Q4_K,
/// Q6_K).
/// </summary>
[MemoryDiagnoser]
public unsafe class SpecializationBenchmarks
{
    private KernelOperands operands = null!;
    private MatrixKernels constant;
    private delegate*<byte*, float*, byte*, float*, int, int, int, void> runtimeMatVec;
    private delegate*<byte*, float*, byte*, float*, int, int, int, int, int, void> runtimeMatMul;

    [Params("4096x4096", "11008x4096", "4096x11008", "5120x5120", "13824x5120", "5120x13824")]
    public string Shape { get; set; } = "4096x4096";

    [Params(GgmlType.F16, GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_K, GgmlType.Q6_K)]
    public GgmlType Type { get; set; } = GgmlType.Q4_0;

    [Params(1, 64)]
    public int Tokens { get; set; } = 1;

    [Params("constant", "runtime")]
    public string Dimensions { get; set; } = "constant";

    private int Rows => int.Parse(Shape.Split('x')[0]);

    private int Columns => int.Parse(Shape.Split('x')[1]);

    [GlobalSetup]
    public void Setup()
    {
        KernelIsa isa = KernelSupport.Best;
        operands = new KernelOperands(Type, Rows, Columns, Tokens);
        constant = KernelTable.Get(isa, Type, Columns);
        SelectRuntimeKernels(isa, Type);
        if (constant.IsEmpty || runtimeMatVec == null) throw new ArgumentException($"No {isa} kernels for {Type} rows of {Columns}.");
        // Both variants must compute the same thing before their speed is compared.
        Run("constant");
        float[] expected = new Span<float>(operands.Y, Tokens * Rows).ToArray();
        Run("runtime");
        if (!expected.AsSpan().SequenceEqual(new Span<float>(operands.Y, Tokens * Rows)))
            throw new InvalidOperationException($"{Type} {Shape}: the runtime-shape kernel differs from the constant one.");
    }

    [GlobalCleanup]
    public void Cleanup() => operands.Dispose();

    [Benchmark]
    public void Product() => Run(Dimensions);

    private void Run(string dimensions)
    {
        byte* w = operands.Weights, xq8 = operands.Xq8;
        float* x = operands.X, y = operands.Y;
        int rows = Rows, columns = Columns;
        if (dimensions == "constant")
        {
            if (Tokens == 1) constant.MatVec(w, x, xq8, y, 0, rows);
            else constant.MultiplyBatch(w, x, xq8, y, rows, Tokens, 0, rows);
        }
        else if (Tokens == 1) runtimeMatVec(w, x, xq8, y, 0, rows, columns);
        else if (runtimeMatMul != null) runtimeMatMul(w, x, xq8, y, rows, Tokens, 0, rows, columns);
        else
        {
            // As MatrixKernels.MultiplyBatch does without a batched kernel: the tokens one by one.
            for (int t = 0; t < Tokens; t++)
                runtimeMatVec(w, x + (nint)t * columns, xq8 == null ? null : xq8 + (nint)t * operands.InputBytes, y + (nint)t * rows, 0, rows, columns);
        }
    }

    /// <summary>The runtime-shape variants of the ISA's kernels (AVX-512 runs the AVX2 integer kernels, as the table does).</summary>
    private void SelectRuntimeKernels(KernelIsa isa, GgmlType type)
    {
        switch (isa, type)
        {
            case (KernelIsa.Avx512, GgmlType.F16): runtimeMatVec = &Avx512Kernels.MatVec_F16; runtimeMatMul = null; return;
            case (KernelIsa.Avx512, GgmlType.Q8_0): runtimeMatVec = &Avx2Kernels.MatVec_Q8_0; runtimeMatMul = &Avx512Kernels.MatMul_Q8_0; return;
            case (KernelIsa.Avx512, GgmlType.Q4_0): runtimeMatVec = &Avx2Kernels.MatVec_Q4_0; runtimeMatMul = &Avx512Kernels.MatMul_Q4_0; return;
            case (KernelIsa.Avx512, GgmlType.Q4_K): runtimeMatVec = &Avx2Kernels.MatVec_Q4_K; runtimeMatMul = &Avx2Kernels.MatMul_Q4_K; return;
            case (KernelIsa.Avx512, GgmlType.Q6_K): runtimeMatVec = &Avx2Kernels.MatVec_Q6_K; runtimeMatMul = &Avx2Kernels.MatMul_Q6_K; return;
            case (KernelIsa.Avx2, GgmlType.F16): runtimeMatVec = &Avx2Kernels.MatVec_F16; runtimeMatMul = null; return;
            case (KernelIsa.Avx2, GgmlType.Q8_0): runtimeMatVec = &Avx2Kernels.MatVec_Q8_0; runtimeMatMul = &Avx2Kernels.MatMul_Q8_0; return;
            case (KernelIsa.Avx2, GgmlType.Q4_0): runtimeMatVec = &Avx2Kernels.MatVec_Q4_0; runtimeMatMul = &Avx2Kernels.MatMul_Q4_0; return;
            case (KernelIsa.Avx2, GgmlType.Q4_K): runtimeMatVec = &Avx2Kernels.MatVec_Q4_K; runtimeMatMul = &Avx2Kernels.MatMul_Q4_K; return;
            case (KernelIsa.Avx2, GgmlType.Q6_K): runtimeMatVec = &Avx2Kernels.MatVec_Q6_K; runtimeMatMul = &Avx2Kernels.MatMul_Q6_K; return;
            case (KernelIsa.Neon, GgmlType.F16): runtimeMatVec = &NeonKernels.MatVec_F16; runtimeMatMul = null; return;
            case (KernelIsa.Neon, GgmlType.Q8_0): runtimeMatVec = &NeonKernels.MatVec_Q8_0; runtimeMatMul = null; return;
            case (KernelIsa.Neon, GgmlType.Q4_0): runtimeMatVec = &NeonKernels.MatVec_Q4_0; runtimeMatMul = null; return;
            case (KernelIsa.Neon, GgmlType.Q4_K): runtimeMatVec = &NeonKernels.MatVec_Q4_K; runtimeMatMul = null; return;
            case (KernelIsa.Neon, GgmlType.Q6_K): runtimeMatVec = &NeonKernels.MatVec_Q6_K; runtimeMatMul = null; return;
            default: throw new ArgumentException($"No runtime-shape kernel for {type} on {isa} in this benchmark.");
        }
    }
}
