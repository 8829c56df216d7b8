using LlamaGen.Threading;

namespace LlamaGen.Kernels;

/// <summary>
/// One matrix-vector product as a unit of <see cref="WorkerPool"/> work: a generated kernel and its operands, run over
/// the row chunks the pool hands out. A struct of pointers, so splitting a product allocates nothing.
/// </summary>
public readonly unsafe struct MatVecRows(
    delegate*<byte*, float*, byte*, float*, int, int, void> kernel, byte* weights, float* x, byte* xq8, float* y) : IRowWork
{
    public void Execute(int rowStart, int rowEnd) => kernel(weights, x, xq8, y, rowStart, rowEnd);
}
