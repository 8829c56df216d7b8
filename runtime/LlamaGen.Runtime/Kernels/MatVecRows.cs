using LlamaGen.Threading;

namespace LlamaGen.Kernels;

/// <summary>
/// One matrix-vector product as a unit of <see cref="WorkerPool"/> work: a matrix's kernels and their operands, run over
/// the row chunks the pool hands out. A struct of pointers, so splitting a product allocates nothing.
/// </summary>
public readonly unsafe struct MatVecRows(MatrixKernels kernels, byte* weights, float* x, byte* xq8, float* y) : IRowWork
{
    public void Execute(int rowStart, int rowEnd) => kernels.Multiply(weights, x, xq8, y, rowStart, rowEnd);
}
