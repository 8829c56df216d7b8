using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using LlamaGen.Quantization;
using LlamaGen.Kernels;
using LlamaGen.Threading;

namespace LlamaGen.Bench;

/// <summary>
/// What splitting a product over threads costs: an empty job through <see cref="WorkerPool"/> (workers spinning, and
/// workers that always block so every job pays the wake-up) against <see cref="Parallel.For(int, int, ParallelOptions, Action{int})"/>
/// with as many chunks, and the Llama 2 7B ffn_gate product (Q4_0, 11008x4096) through the pool.
/// <c>dotnet run -c Release --project bench/LlamaGen.Bench -- --filter *WorkerPool*</c>
/// </summary>
[MemoryDiagnoser]
public unsafe class WorkerPoolBenchmarks
{
    private const int Rows = 11008;
    private const int Columns = 4096;

    private WorkerPool spinningPool = null!;
    private WorkerPool blockingPool = null!;
    private ParallelOptions parallelOptions = null!;
    private MatVecState* matVec;

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        spinningPool = new WorkerPool(Threads);
        blockingPool = new WorkerPool(Threads, TimeSpan.Zero, WorkerPool.DefaultChunksPerThread);
        parallelOptions = new ParallelOptions { MaxDegreeOfParallelism = Threads };

        long weightBytes = Rows * GgmlTypeInfo.RowBytes(GgmlType.Q4_0, Columns);
        matVec = (MatVecState*)NativeMemory.AlignedAlloc((nuint)sizeof(MatVecState), 64);
        matVec->Weights = (byte*)NativeMemory.AlignedAlloc((nuint)weightBytes, 64);
        matVec->X = (float*)NativeMemory.AlignedAlloc(Columns * sizeof(float), 64);
        matVec->Xq8 = (byte*)NativeMemory.AlignedAlloc((nuint)ActivationQuantizer.KernelInputBytes(Columns), 64);
        matVec->Y = (float*)NativeMemory.AlignedAlloc(Rows * sizeof(float), 64);
        var random = new Random(1);
        random.NextBytes(new Span<byte>(matVec->Weights, (int)weightBytes));
        // Sane f16 block scales: random bytes could be infinities or NaNs, which no real weight file holds.
        for (long offset = 0; offset < weightBytes; offset += GgmlTypeInfo.BlockBytes(GgmlType.Q4_0))
            *(Half*)(matVec->Weights + offset) = (Half)(random.NextSingle() * 0.02f);
        for (int i = 0; i < Columns; i++) matVec->X[i] = random.NextSingle() * 2 - 1;
        // The kernels read the interleaved layout a loaded model holds (same size: the rows are a multiple of 8).
        byte* repacked = (byte*)NativeMemory.AlignedAlloc((nuint)weightBytes, 64);
        InterleavedLayout.Repack(GgmlType.Q4_0, matVec->Weights, Rows, Columns, repacked, 0, Rows / 8);
        NativeMemory.AlignedFree(matVec->Weights);
        matVec->Weights = repacked;
        ActivationQuantizer.QuantizeKernelInput(matVec->X, matVec->Xq8, Columns);
        matVec->Kernel = LlamaGen.Generated.KernelTable.Get(KernelSupport.Best, GgmlType.Q4_0, Columns).MatVec;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        spinningPool.Dispose();
        blockingPool.Dispose();
        NativeMemory.AlignedFree(matVec->Weights);
        NativeMemory.AlignedFree(matVec->X);
        NativeMemory.AlignedFree(matVec->Xq8);
        NativeMemory.AlignedFree(matVec->Y);
        NativeMemory.AlignedFree(matVec);
    }

    [Benchmark(Baseline = true)]
    public void EmptyJobSpinningPool() => spinningPool.Run(&Nothing, null, Rows, 4);

    [Benchmark]
    public void EmptyJobBlockingPool() => blockingPool.Run(&Nothing, null, Rows, 4);

    [Benchmark]
    public void EmptyJobParallelFor() =>
        Parallel.For(0, Threads * WorkerPool.DefaultChunksPerThread, parallelOptions, static _ => { });

    [Benchmark]
    public void MatVecQ4_0_11008x4096() => spinningPool.Run(&MatVecRows, matVec, Rows, 4);

    private static void Nothing(void* state, int rowStart, int rowEnd) { }

    private static void MatVecRows(void* state, int rowStart, int rowEnd)
    {
        var s = (MatVecState*)state;
        s->Kernel(s->Weights, s->X, s->Xq8, s->Y, rowStart, rowEnd, Columns);
    }

    /// <summary>The product's operands, in native memory so the pool's function-pointer overload can take them.</summary>
    private struct MatVecState
    {
        public delegate*<byte*, float*, byte*, float*, int, int, int, void> Kernel;
        public byte* Weights;
        public float* X;
        public byte* Xq8;
        public float* Y;
    }
}
