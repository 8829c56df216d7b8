namespace LlamaGen.Quantization;

/// <summary>
/// A quantized block whose scale is NaN or infinite, as found by <see cref="QuantizedBlockValidator"/>: every element
/// of such a block dequantizes to NaN or infinity, and through the matrix products poisons the whole forward pass.
/// </summary>
/// <param name="BlockIndex">Index of the block within the checked bytes.</param>
/// <param name="ByteOffset">Offset of the bad scale field within the checked bytes.</param>
/// <param name="Field">ggml's name for the field: <c>d</c>, <c>dmin</c>, <c>m</c> or <c>s</c>.</param>
/// <param name="Value">The field's value as float32 (NaN, +∞ or -∞).</param>
/// <param name="Bits">The field's raw bits (16 for float16 fields, 32 for Q8_K's float32 scale).</param>
public readonly record struct NonFiniteScale(long BlockIndex, long ByteOffset, string Field, float Value, uint Bits);
