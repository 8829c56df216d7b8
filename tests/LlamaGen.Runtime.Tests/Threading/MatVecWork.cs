using LlamaGen.Kernels;

namespace LlamaGen.Runtime.Tests.Threading;

/// <summary>
/// One matrix-vector product as pool work: the shape the generated forward pass uses (a kernel pointer and its
/// operands; each chunk computes its own rows of y).
/// </summary>
internal readonly unsafe struct MatVecWork(
    delegate*<byte*, float*, byte*, float*, int, int, void> kernel, byte* weights, float* x, byte* xq8, float* y) : IRowWork
{
    /// <summary>The quantized kernels compute groups of 8 interleaved rows; chunks of whole groups waste no work.</summary>
    public const int RowAlignment = 8;

    public void Execute(int rowStart, int rowEnd) => kernel(weights, x, xq8, y, rowStart, rowEnd);
}
