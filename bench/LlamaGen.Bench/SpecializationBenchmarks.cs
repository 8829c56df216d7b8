using BenchmarkDotNet.Attributes;
using LlamaGen.Generated;
using LlamaGen.Kernels;
using LlamaGen.Quantization;

namespace LlamaGen.Bench;

/// <summary>
/// What compile-time shapes buy: each kernel family's generated kernel with the row length as a constant
/// (<c>MatVec_Q4_0_4096</c>: every trip count a literal, emitted for this project by <c>LlamaGenConstantShapeKernels</c>)
/// against the kernel models run, the same code with it as a parameter (<c>MatVec_Q4_0(..., columns)</c>), at the Llama 2 7B
/// and 13B shapes, one token (decode: a matrix-vector product) and a 64-token prompt chunk (the batched product), one
/// thread, the CPU's best ISA. Families: float weights (F16), the 32-element blocks (Q8_0, Q4_0) and the K-quants (Q4_K,
/// Q6_K).
/// </summary>
[MemoryDiagnoser]
public unsafe class SpecializationBenchmarks
{
    private KernelOperands operands = null!;
    private MatrixKernels constant;
    private MatrixKernels runtime;

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
        constant = ConstantShapeKernelTable.Get(isa, Type, Columns);
        runtime = KernelTable.Get(isa, Type, Columns);
        if (constant.IsEmpty || runtime.IsEmpty) throw new ArgumentException($"No {isa} kernels for {Type} rows of {Columns}.");
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
        MatrixKernels kernels = dimensions == "constant" ? constant : runtime;
        if (Tokens == 1) kernels.Multiply(operands.Weights, operands.X, operands.Xq8, operands.Y, 0, Rows);
        else kernels.MultiplyBatch(operands.Weights, operands.X, operands.Xq8, operands.Y, Rows, Tokens, 0, Rows);
    }
}
