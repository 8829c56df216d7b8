using BenchmarkDotNet.Attributes;
using LlamaGen.Kernels;
using LlamaGen.Quantization;

namespace LlamaGen.Bench;

/// <summary>
/// One single-threaded matrix-vector product at each Llama 2 7B shape, for the float and 32-element block types and
/// every x86 ISA, as a loaded model runs it (quantized weights repacked into interleaved groups, the activation
/// quantized inside the measured product, as the forward pass does once per product). With a baseline compiled in
/// (<c>bench/compare-kernels.sh</c>), the same products run on an earlier commit's kernels in the same run.
/// </summary>
[MemoryDiagnoser]
public unsafe class MatVecBenchmarks
{
    private KernelOperands operands = null!;
    private MatVecCall kernel;

    [Params("4096x4096", "11008x4096", "4096x11008", "32000x4096")]
    public string Shape { get; set; } = "4096x4096";

    [Params(GgmlType.F32, GgmlType.F16, GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1)]
    public GgmlType Type { get; set; }

    [Params(KernelIsa.Scalar, KernelIsa.Vector128, KernelIsa.Avx2, KernelIsa.Avx512)]
    public KernelIsa Isa { get; set; }

    [ParamsSource(nameof(Builds))]
    public string Kernels { get; set; } = KernelBuilds.Now;

    public static IEnumerable<string> Builds => KernelBuilds.Available;

    private int Rows => int.Parse(Shape.Split('x')[0]);

    private int Columns => int.Parse(Shape.Split('x')[1]);

    [GlobalSetup]
    public void Setup()
    {
        KernelSupport.ThrowIfUnsupported(Isa);
        operands = new KernelOperands(Type, Rows, Columns);
        kernel = KernelBuilds.MatVec(Kernels, Isa, Type, Rows, Columns);
    }

    [GlobalCleanup]
    public void Cleanup() => operands.Dispose();

    [Benchmark]
    public void MatVec()
    {
        operands.QuantizeInputs();
        kernel.Invoke(operands.Weights, operands.X, operands.Xq8, operands.Y, 0, operands.Rows);
    }
}
