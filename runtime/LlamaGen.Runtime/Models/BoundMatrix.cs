using LlamaGen.Kernels;

namespace LlamaGen.Models;

/// <summary>
/// A weight matrix as a loaded model multiplies it: the tensor (repacked where its kernels read another layout) and the
/// generated kernels chosen for its type, row length and the model's ISA when it was bound.
/// </summary>
public readonly struct BoundMatrix(WeightTensor tensor, MatrixKernels kernels)
{
    public WeightTensor Tensor { get; } = tensor;

    public MatrixKernels Kernels { get; } = kernels;

    /// <summary>Output rows of the product.</summary>
    public int Rows => (int)Tensor.Rows;

    public KernelInput Input => Kernels.Input;
}
