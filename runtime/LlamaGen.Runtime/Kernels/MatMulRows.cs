using LlamaGen.Threading;

namespace LlamaGen.Kernels;

/// <summary>
/// One batched product (the same weights applied to the <c>tokens</c> activations of a prompt chunk) as a unit of
/// <see cref="WorkerPool"/> work: a matrix's kernels and their operands, run over the weight-row chunks the pool hands
/// out. Every chunk computes its rows for all tokens, so each weight row is read once per chunk of tokens. A struct of
/// pointers, so splitting a product allocates nothing.
/// </summary>
public readonly unsafe struct MatMulRows(MatrixKernels kernels, byte* weights, float* x, byte* xq8, float* y, int rows, int tokens) : IRowWork
{
    public void Execute(int rowStart, int rowEnd) => kernels.MultiplyBatch(weights, x, xq8, y, rows, tokens, rowStart, rowEnd);
}
