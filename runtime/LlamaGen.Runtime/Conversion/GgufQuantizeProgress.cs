using LlamaGen.Gguf;

namespace LlamaGen.Conversion;

/// <summary>Reported by <see cref="GgufQuantizer"/> after each chunk of a tensor is written.</summary>
/// <param name="TensorIndex">0-based position of the tensor in the file.</param>
/// <param name="TensorCount">Tensors in the file.</param>
/// <param name="Input">The tensor as it is in the input file.</param>
/// <param name="Plan">What it becomes.</param>
/// <param name="BytesWritten">Bytes of this tensor written so far; equal to <paramref name="BytesTotal"/> when it is complete.</param>
/// <param name="BytesTotal">Bytes of this tensor in the output.</param>
public sealed record GgufQuantizeProgress(int TensorIndex, int TensorCount, GgufTensorInfo Input, TensorQuantization Plan, long BytesWritten, long BytesTotal);
