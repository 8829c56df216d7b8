namespace LlamaGen.Models;

/// <summary>
/// One weight the generated model needs: its GGUF tensor name and its shape in GGUF order
/// (<paramref name="Columns"/> = ne[0], the contiguous dimension; <paramref name="Rows"/> = ne[1], 1 for vectors).
/// <paramref name="FallbackName"/> names a tensor to use when this one is absent (tied classifier:
/// <c>output.weight</c> falls back to <c>token_embd.weight</c>).
/// </summary>
public readonly record struct TensorSlot(string Name, long Columns, long Rows, string? FallbackName = null);
