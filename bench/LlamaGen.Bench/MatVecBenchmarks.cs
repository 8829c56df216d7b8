using BenchmarkDotNet.Attributes;
using LlamaGen.Catalog;
using System.Runtime.InteropServices;
using LlamaGen.Quantization;
using LlamaGen.Kernels;

namespace LlamaGen.Bench;

/// <summary>
/// One single-threaded matrix-vector product at each Llama 2 7B shape, for every weight type and ISA variant,
/// on random weights (the kernels' speed does not depend on the values). Quantized products include the
/// activation's quantization, as the forward pass does it once per product, and read the 32-element block types'
/// weights (Q4_0, Q4_1, Q5_0, Q5_1, Q8_0) repacked into the interleaved layout as a loaded model does.
/// </summary>
[MemoryDiagnoser]
public unsafe class MatVecBenchmarks
{
    private byte* weights;
    private float* x;
    private byte* xq8;
    private float* y;
    private delegate*<byte*, float*, byte*, float*, int, int, void> kernel;
    private KernelIsa savedIsa;

    [Params("4096x4096", "11008x4096", "4096x11008", "32000x4096")]
    public string Shape { get; set; } = "4096x4096";

    [Params(GgmlType.F32, GgmlType.F16, GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1)]
    public GgmlType Type { get; set; }

    [Params(KernelIsa.Scalar, KernelIsa.Vector128, KernelIsa.Avx2, KernelIsa.Avx512)]
    public KernelIsa Isa { get; set; }

    private int Rows => int.Parse(Shape.Split('x')[0]);

    private int Columns => int.Parse(Shape.Split('x')[1]);

    [GlobalSetup]
    public void Setup()
    {
        kernel = Select(Type, Shape);
        long weightBytes = Rows * GgmlTypeInfo.RowBytes(Type, Columns);
        weights = (byte*)NativeMemory.AlignedAlloc((nuint)weightBytes, 64);
        x = (float*)NativeMemory.AlignedAlloc((nuint)(Columns * sizeof(float)), 64);
        xq8 = (byte*)NativeMemory.AlignedAlloc((nuint)ActivationQuantizer.KernelInputBytes(Columns), 64);
        y = (float*)NativeMemory.AlignedAlloc((nuint)(Rows * sizeof(float)), 64);

        var random = new Random(1);
        random.NextBytes(new Span<byte>(weights, checked((int)Math.Min(weightBytes, int.MaxValue))));
        if (weightBytes > int.MaxValue) random.NextBytes(new Span<byte>(weights + int.MaxValue, (int)(weightBytes - int.MaxValue)));
        // Sane scales and halves: random bytes could be f16 infinities/NaNs, which no real weight file contains.
        int blockBytes = GgmlTypeInfo.BlockBytes(Type);
        int stride = Type is GgmlType.F16 ? 2 : blockBytes;
        if (Type is not GgmlType.F32)
            for (long offset = 0; offset < weightBytes; offset += stride) *(Half*)(weights + offset) = (Half)(random.NextSingle() * 0.02f);
        else
            for (long i = 0; i < weightBytes / 4; i++) ((float*)weights)[i] = random.NextSingle() - 0.5f;
        if (Type is GgmlType.Q4_1 or GgmlType.Q5_1) // the minimum m, the block's second f16
            for (long offset = 2; offset < weightBytes; offset += stride) *(Half*)(weights + offset) = (Half)(random.NextSingle() * -0.1f);
        for (int i = 0; i < Columns; i++) x[i] = random.NextSingle() * 2 - 1;
        if (InterleavedLayout.IsInterleaved(Type))
        {
            byte* repacked = (byte*)NativeMemory.AlignedAlloc((nuint)InterleavedLayout.Bytes(Type, Rows, Columns), 64);
            InterleavedLayout.Repack(Type, weights, Rows, Columns, repacked, 0, (Rows + 7) / 8);
            NativeMemory.AlignedFree(weights);
            weights = repacked;
        }

        savedIsa = KernelDispatch.Current;
        if (!KernelDispatch.IsSupported(Isa)) throw new PlatformNotSupportedException($"{Isa} is not supported on this CPU.");
        KernelDispatch.Current = Isa;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        KernelDispatch.Current = savedIsa;
        NativeMemory.AlignedFree(weights);
        NativeMemory.AlignedFree(x);
        NativeMemory.AlignedFree(xq8);
        NativeMemory.AlignedFree(y);
    }

    [Benchmark]
    public void MatVec()
    {
        if (Type is GgmlType.Q8_0 or GgmlType.Q4_0 or GgmlType.Q4_1 or GgmlType.Q5_0 or GgmlType.Q5_1) ActivationQuantizer.QuantizeKernelInput(x, xq8, Columns);
        kernel(weights, x, xq8, y, 0, Rows);
    }

    private static delegate*<byte*, float*, byte*, float*, int, int, void> Select(GgmlType type, string shape) => (type, shape) switch
    {
        (GgmlType.F32, "4096x4096") => &Llama2_7B.Kernels.MatVec_F32_4096x4096,
        (GgmlType.F32, "11008x4096") => &Llama2_7B.Kernels.MatVec_F32_11008x4096,
        (GgmlType.F32, "4096x11008") => &Llama2_7B.Kernels.MatVec_F32_4096x11008,
        (GgmlType.F32, "32000x4096") => &Llama2_7B.Kernels.MatVec_F32_32000x4096,
        (GgmlType.F16, "4096x4096") => &Llama2_7B.Kernels.MatVec_F16_4096x4096,
        (GgmlType.F16, "11008x4096") => &Llama2_7B.Kernels.MatVec_F16_11008x4096,
        (GgmlType.F16, "4096x11008") => &Llama2_7B.Kernels.MatVec_F16_4096x11008,
        (GgmlType.F16, "32000x4096") => &Llama2_7B.Kernels.MatVec_F16_32000x4096,
        (GgmlType.Q8_0, "4096x4096") => &Llama2_7B.Kernels.MatVec_Q8_0_4096x4096,
        (GgmlType.Q8_0, "11008x4096") => &Llama2_7B.Kernels.MatVec_Q8_0_11008x4096,
        (GgmlType.Q8_0, "4096x11008") => &Llama2_7B.Kernels.MatVec_Q8_0_4096x11008,
        (GgmlType.Q8_0, "32000x4096") => &Llama2_7B.Kernels.MatVec_Q8_0_32000x4096,
        (GgmlType.Q4_0, "4096x4096") => &Llama2_7B.Kernels.MatVec_Q4_0_4096x4096,
        (GgmlType.Q4_0, "11008x4096") => &Llama2_7B.Kernels.MatVec_Q4_0_11008x4096,
        (GgmlType.Q4_0, "4096x11008") => &Llama2_7B.Kernels.MatVec_Q4_0_4096x11008,
        (GgmlType.Q4_0, "32000x4096") => &Llama2_7B.Kernels.MatVec_Q4_0_32000x4096,
        (GgmlType.Q4_1, "4096x4096") => &Llama2_7B.Kernels.MatVec_Q4_1_4096x4096,
        (GgmlType.Q4_1, "11008x4096") => &Llama2_7B.Kernels.MatVec_Q4_1_11008x4096,
        (GgmlType.Q4_1, "4096x11008") => &Llama2_7B.Kernels.MatVec_Q4_1_4096x11008,
        (GgmlType.Q4_1, "32000x4096") => &Llama2_7B.Kernels.MatVec_Q4_1_32000x4096,
        (GgmlType.Q5_0, "4096x4096") => &Llama2_7B.Kernels.MatVec_Q5_0_4096x4096,
        (GgmlType.Q5_0, "11008x4096") => &Llama2_7B.Kernels.MatVec_Q5_0_11008x4096,
        (GgmlType.Q5_0, "4096x11008") => &Llama2_7B.Kernels.MatVec_Q5_0_4096x11008,
        (GgmlType.Q5_0, "32000x4096") => &Llama2_7B.Kernels.MatVec_Q5_0_32000x4096,
        (GgmlType.Q5_1, "4096x4096") => &Llama2_7B.Kernels.MatVec_Q5_1_4096x4096,
        (GgmlType.Q5_1, "11008x4096") => &Llama2_7B.Kernels.MatVec_Q5_1_11008x4096,
        (GgmlType.Q5_1, "4096x11008") => &Llama2_7B.Kernels.MatVec_Q5_1_4096x11008,
        (GgmlType.Q5_1, "32000x4096") => &Llama2_7B.Kernels.MatVec_Q5_1_32000x4096,
        _ => throw new ArgumentException($"No Llama 2 7B kernel for {type} {shape}."),
    };
}
