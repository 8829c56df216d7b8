using System.Runtime.InteropServices;
using LlamaGen.TestModels;
using LlamaGen.Quantization;
using LlamaGen.Kernels;
using LlamaGen.Threading;

namespace LlamaGen.Runtime.Tests.Threading;

/// <summary>
/// Generated Q4_0 kernels (the CPU's best ISA) split over the pool produce exactly what one call over all rows produces.
/// </summary>
public unsafe class WorkerPoolKernelTests
{
    [Theory]
    [InlineData(172, 64, 2)]    // stories260K ffn: fewer 4-row units than chunks would like
    [InlineData(172, 64, 3)]
    [InlineData(4096, 4096, 2)] // Llama 2 7B attention
    [InlineData(4096, 4096, 4)]
    public void PooledProductEqualsTheSingleCallProduct(int rows, int columns, int threads)
    {
        MatrixKernels kernel = LlamaGen.Generated.KernelTable.Get(KernelSupport.Best, GgmlType.Q4_0, columns);
        Assert.False(kernel.IsEmpty, $"no Q4_0 kernel for rows of {columns}");
        long weightBytes = rows * GgmlTypeInfo.RowBytes(GgmlType.Q4_0, columns);
        byte* weights = (byte*)NativeMemory.AlignedAlloc((nuint)weightBytes, 64);
        float* x = (float*)NativeMemory.AlignedAlloc((nuint)columns * sizeof(float), 64);
        byte* xq8 = (byte*)NativeMemory.AlignedAlloc((nuint)ActivationQuantizer.KernelInputBytes(columns), 64);
        byte* packed = (byte*)NativeMemory.AlignedAlloc((nuint)InterleavedLayout.Bytes(GgmlType.Q4_0, rows, columns), 64);
        float* expected = (float*)NativeMemory.AlignedAlloc((nuint)rows * sizeof(float), 64);
        float* actual = (float*)NativeMemory.AlignedAlloc((nuint)rows * sizeof(float), 64);
        try
        {
            var random = new Random(rows * 31 + columns);
            random.NextBytes(new Span<byte>(weights, (int)weightBytes));
            // Q4_0 blocks are an f16 scale and 16 nibble bytes: give every block a sane scale.
            for (long offset = 0; offset < weightBytes; offset += 18) *(Half*)(weights + offset) = (Half)(random.NextSingle() * 0.02f);
            for (int i = 0; i < columns; i++) x[i] = random.NextSingle() * 2 - 1;
            ActivationQuantizer.QuantizeKernelInput(x, xq8, columns);
            // The kernels read the layout a loaded model holds.
            InterleavedLayout.Repack(GgmlType.Q4_0, weights, rows, columns, packed, 0, (rows + 7) / 8);
            NativeMemory.AlignedFree(weights);
            weights = packed;

            kernel.Multiply(weights, x, xq8, expected, 0, rows);
            using var pool = new WorkerPool(threads);
            for (int repeat = 0; repeat < 3; repeat++)
            {
                new Span<float>(actual, rows).Fill(float.NaN);
                // The kernels compute groups of 8 interleaved rows: the forward pass splits on whole groups.
                pool.Run(new MatVecRows(kernel, weights, x, xq8, actual), rows, rowAlignment: 8);
                Assert.True(new Span<float>(expected, rows).SequenceEqual(new Span<float>(actual, rows)),
                    $"{rows}x{columns} on {threads} threads differs from the single call (repeat {repeat})");
            }
        }
        finally
        {
            NativeMemory.AlignedFree(weights);
            NativeMemory.AlignedFree(x);
            NativeMemory.AlignedFree(xq8);
            NativeMemory.AlignedFree(expected);
            NativeMemory.AlignedFree(actual);
        }
    }
}
