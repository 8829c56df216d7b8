using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using LlamaGen.Catalog;
using LlamaGen.Quantization;
using LlamaGen.Kernels;

namespace LlamaGen.Bench;

/// <summary>
/// One single-threaded Q4_K or Q6_K matrix-vector product at each Llama 2 7B shape, per ISA variant: the products a
/// Q4_K_M model spends its decode time in (Q4_K for most matrices, Q6_K for the output and some attn_v/ffn_down). As a
/// loaded model runs them: the weights repacked into <see cref="KQuantInterleavedLayout"/>'s 8-row groups
/// (<see cref="InterleavedLayout.Repack(GgmlType, byte*, long, long, byte*, long, long)"/>), the activation quantized to
/// the kernels' Q8_K input inside the measured product (the forward pass does it once per product).
/// </summary>
/// <remarks>
/// The weights are real K-quant blocks: 64 random rows quantized by the reference quantizer and repeated down the
/// matrix. The kernels' speed does not depend on the values, but random bytes would hold f16 infinities or NaNs in the
/// scales, which no real file has; quantizing every row of the 32000x4096 matrix would make each setup take seconds.
/// The ISA variants are called directly (<c>MatVec_Q4_K_4096x4096_Avx512</c>, ...), so the figures name the code measured.
/// </remarks>
[MemoryDiagnoser]
public unsafe class KQuantMatVecBenchmarks
{
    private const int DistinctRows = 64;

    private byte* weights;
    private float* x;
    private byte* xq8;
    private float* y;
    private delegate*<byte*, float*, byte*, float*, int, int, void> kernel;

    [Params("4096x4096", "11008x4096", "4096x11008", "32000x4096")]
    public string Shape { get; set; } = "4096x4096";

    [Params(GgmlType.Q4_K, GgmlType.Q6_K)]
    public GgmlType Type { get; set; } = GgmlType.Q4_K;

    [Params(KernelIsa.Scalar, KernelIsa.Vector128, KernelIsa.Avx2, KernelIsa.Avx512)]
    public KernelIsa Isa { get; set; } = KernelIsa.Avx512;

    private int Rows => int.Parse(Shape.Split('x')[0]);

    private int Columns => int.Parse(Shape.Split('x')[1]);

    [GlobalSetup]
    public void Setup()
    {
        if (!KernelDispatch.IsSupported(Isa)) throw new PlatformNotSupportedException($"{Isa} is not supported on this CPU.");
        kernel = Select(Type, Shape, Isa);
        int rows = Rows, columns = Columns;
        int rowBytes = checked((int)GgmlTypeInfo.RowBytes(Type, columns));

        var random = new Random(1);
        var values = new float[columns];
        var distinct = new byte[DistinctRows * rowBytes];
        for (int r = 0; r < DistinctRows; r++)
        {
            for (int i = 0; i < columns; i++) values[i] = (random.NextSingle() - 0.5f) * 0.04f;
            ReferenceQuantization.QuantizeRow(Type, values, distinct.AsSpan(r * rowBytes, rowBytes));
        }
        long plainBytes = (long)rows * rowBytes;
        byte* plain = (byte*)NativeMemory.AlignedAlloc((nuint)plainBytes, 64);
        try
        {
            for (long r = 0; r < rows; r++)
                distinct.AsSpan((int)(r % DistinctRows) * rowBytes, rowBytes).CopyTo(new Span<byte>(plain + r * rowBytes, rowBytes));
            weights = (byte*)NativeMemory.AlignedAlloc((nuint)InterleavedLayout.Bytes(Type, rows, columns), 64);
            long groups = (rows + InterleavedLayout.GroupRows - 1) / InterleavedLayout.GroupRows;
            InterleavedLayout.Repack(Type, plain, rows, columns, weights, 0, groups);
        }
        finally
        {
            NativeMemory.AlignedFree(plain);
        }

        x = (float*)NativeMemory.AlignedAlloc((nuint)(columns * sizeof(float)), 64);
        for (int i = 0; i < columns; i++) x[i] = random.NextSingle() * 2 - 1;
        xq8 = (byte*)NativeMemory.AlignedAlloc((nuint)ActivationQuantizer.KernelInputBytesQ8_K(columns), 64);
        y = (float*)NativeMemory.AlignedAlloc((nuint)(rows * sizeof(float)), 64);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        NativeMemory.AlignedFree(weights);
        NativeMemory.AlignedFree(x);
        NativeMemory.AlignedFree(xq8);
        NativeMemory.AlignedFree(y);
    }

    [Benchmark]
    public void MatVec()
    {
        ActivationQuantizer.QuantizeKernelInputQ8_K(x, xq8, Columns);
        kernel(weights, x, xq8, y, 0, Rows);
    }

    private static delegate*<byte*, float*, byte*, float*, int, int, void> Select(GgmlType type, string shape, KernelIsa isa) => (type, shape, isa) switch
    {
        (GgmlType.Q4_K, "4096x4096", KernelIsa.Scalar) => &Llama2_7B.Kernels.MatVec_Q4_K_4096x4096_Scalar,
        (GgmlType.Q4_K, "4096x4096", KernelIsa.Vector128) => &Llama2_7B.Kernels.MatVec_Q4_K_4096x4096_Vector128,
        (GgmlType.Q4_K, "4096x4096", KernelIsa.Avx2) => &Llama2_7B.Kernels.MatVec_Q4_K_4096x4096_Avx2,
        (GgmlType.Q4_K, "4096x4096", KernelIsa.Avx512) => &Llama2_7B.Kernels.MatVec_Q4_K_4096x4096_Avx512,
        (GgmlType.Q4_K, "4096x4096", KernelIsa.Neon) => &Llama2_7B.Kernels.MatVec_Q4_K_4096x4096_Neon,
        (GgmlType.Q4_K, "11008x4096", KernelIsa.Scalar) => &Llama2_7B.Kernels.MatVec_Q4_K_11008x4096_Scalar,
        (GgmlType.Q4_K, "11008x4096", KernelIsa.Vector128) => &Llama2_7B.Kernels.MatVec_Q4_K_11008x4096_Vector128,
        (GgmlType.Q4_K, "11008x4096", KernelIsa.Avx2) => &Llama2_7B.Kernels.MatVec_Q4_K_11008x4096_Avx2,
        (GgmlType.Q4_K, "11008x4096", KernelIsa.Avx512) => &Llama2_7B.Kernels.MatVec_Q4_K_11008x4096_Avx512,
        (GgmlType.Q4_K, "11008x4096", KernelIsa.Neon) => &Llama2_7B.Kernels.MatVec_Q4_K_11008x4096_Neon,
        (GgmlType.Q4_K, "4096x11008", KernelIsa.Scalar) => &Llama2_7B.Kernels.MatVec_Q4_K_4096x11008_Scalar,
        (GgmlType.Q4_K, "4096x11008", KernelIsa.Vector128) => &Llama2_7B.Kernels.MatVec_Q4_K_4096x11008_Vector128,
        (GgmlType.Q4_K, "4096x11008", KernelIsa.Avx2) => &Llama2_7B.Kernels.MatVec_Q4_K_4096x11008_Avx2,
        (GgmlType.Q4_K, "4096x11008", KernelIsa.Avx512) => &Llama2_7B.Kernels.MatVec_Q4_K_4096x11008_Avx512,
        (GgmlType.Q4_K, "4096x11008", KernelIsa.Neon) => &Llama2_7B.Kernels.MatVec_Q4_K_4096x11008_Neon,
        (GgmlType.Q4_K, "32000x4096", KernelIsa.Scalar) => &Llama2_7B.Kernels.MatVec_Q4_K_32000x4096_Scalar,
        (GgmlType.Q4_K, "32000x4096", KernelIsa.Vector128) => &Llama2_7B.Kernels.MatVec_Q4_K_32000x4096_Vector128,
        (GgmlType.Q4_K, "32000x4096", KernelIsa.Avx2) => &Llama2_7B.Kernels.MatVec_Q4_K_32000x4096_Avx2,
        (GgmlType.Q4_K, "32000x4096", KernelIsa.Avx512) => &Llama2_7B.Kernels.MatVec_Q4_K_32000x4096_Avx512,
        (GgmlType.Q4_K, "32000x4096", KernelIsa.Neon) => &Llama2_7B.Kernels.MatVec_Q4_K_32000x4096_Neon,
        (GgmlType.Q6_K, "4096x4096", KernelIsa.Scalar) => &Llama2_7B.Kernels.MatVec_Q6_K_4096x4096_Scalar,
        (GgmlType.Q6_K, "4096x4096", KernelIsa.Vector128) => &Llama2_7B.Kernels.MatVec_Q6_K_4096x4096_Vector128,
        (GgmlType.Q6_K, "4096x4096", KernelIsa.Avx2) => &Llama2_7B.Kernels.MatVec_Q6_K_4096x4096_Avx2,
        (GgmlType.Q6_K, "4096x4096", KernelIsa.Avx512) => &Llama2_7B.Kernels.MatVec_Q6_K_4096x4096_Avx512,
        (GgmlType.Q6_K, "4096x4096", KernelIsa.Neon) => &Llama2_7B.Kernels.MatVec_Q6_K_4096x4096_Neon,
        (GgmlType.Q6_K, "11008x4096", KernelIsa.Scalar) => &Llama2_7B.Kernels.MatVec_Q6_K_11008x4096_Scalar,
        (GgmlType.Q6_K, "11008x4096", KernelIsa.Vector128) => &Llama2_7B.Kernels.MatVec_Q6_K_11008x4096_Vector128,
        (GgmlType.Q6_K, "11008x4096", KernelIsa.Avx2) => &Llama2_7B.Kernels.MatVec_Q6_K_11008x4096_Avx2,
        (GgmlType.Q6_K, "11008x4096", KernelIsa.Avx512) => &Llama2_7B.Kernels.MatVec_Q6_K_11008x4096_Avx512,
        (GgmlType.Q6_K, "11008x4096", KernelIsa.Neon) => &Llama2_7B.Kernels.MatVec_Q6_K_11008x4096_Neon,
        (GgmlType.Q6_K, "4096x11008", KernelIsa.Scalar) => &Llama2_7B.Kernels.MatVec_Q6_K_4096x11008_Scalar,
        (GgmlType.Q6_K, "4096x11008", KernelIsa.Vector128) => &Llama2_7B.Kernels.MatVec_Q6_K_4096x11008_Vector128,
        (GgmlType.Q6_K, "4096x11008", KernelIsa.Avx2) => &Llama2_7B.Kernels.MatVec_Q6_K_4096x11008_Avx2,
        (GgmlType.Q6_K, "4096x11008", KernelIsa.Avx512) => &Llama2_7B.Kernels.MatVec_Q6_K_4096x11008_Avx512,
        (GgmlType.Q6_K, "4096x11008", KernelIsa.Neon) => &Llama2_7B.Kernels.MatVec_Q6_K_4096x11008_Neon,
        (GgmlType.Q6_K, "32000x4096", KernelIsa.Scalar) => &Llama2_7B.Kernels.MatVec_Q6_K_32000x4096_Scalar,
        (GgmlType.Q6_K, "32000x4096", KernelIsa.Vector128) => &Llama2_7B.Kernels.MatVec_Q6_K_32000x4096_Vector128,
        (GgmlType.Q6_K, "32000x4096", KernelIsa.Avx2) => &Llama2_7B.Kernels.MatVec_Q6_K_32000x4096_Avx2,
        (GgmlType.Q6_K, "32000x4096", KernelIsa.Avx512) => &Llama2_7B.Kernels.MatVec_Q6_K_32000x4096_Avx512,
        (GgmlType.Q6_K, "32000x4096", KernelIsa.Neon) => &Llama2_7B.Kernels.MatVec_Q6_K_32000x4096_Neon,
        _ => throw new ArgumentException($"No Llama 2 7B {type} kernel for {shape} on {isa}."),
    };
}
