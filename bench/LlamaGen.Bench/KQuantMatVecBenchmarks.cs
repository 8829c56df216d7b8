using BenchmarkDotNet.Attributes;
using LlamaGen.Kernels;
using LlamaGen.Quantization;

namespace LlamaGen.Bench;

/// <summary>
/// One single-threaded Q4_K or Q6_K matrix-vector product at each Llama 2 7B shape, per ISA: the products a Q4_K_M model
/// spends its decode time in (Q4_K for most matrices, Q6_K for the output and some attn_v/ffn_down), with the weights
/// repacked into the K-quant interleaved layout and the activation quantized to Q8_K inside the measured product. With a
/// baseline compiled in (<c>bench/compare-kernels.sh</c>), an earlier commit's kernels run in the same process.
/// </summary>
[MemoryDiagnoser]
public unsafe class KQuantMatVecBenchmarks
{
    private KernelOperands operands = null!;
    private MatVecCall kernel;

    [Params("4096x4096", "11008x4096", "4096x11008", "32000x4096")]
    public string Shape { get; set; } = "4096x4096";

    [Params(GgmlType.Q4_K, GgmlType.Q6_K)]
    public GgmlType Type { get; set; } = GgmlType.Q4_K;

    [Params(KernelIsa.Scalar, KernelIsa.Vector128, KernelIsa.Avx2, KernelIsa.Avx512)]
    public KernelIsa Isa { get; set; } = KernelIsa.Avx512;

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
