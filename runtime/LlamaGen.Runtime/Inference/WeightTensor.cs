using LlamaGen.Quantization;

namespace LlamaGen.Inference;

/// <summary>
/// A bound weight: a pointer into the mapped GGUF file, its element type and shape
/// (<see cref="Rows"/> rows of <see cref="Columns"/> elements, each row <see cref="RowBytes"/> bytes).
/// The binder has checked that <c>Rows * RowBytes</c> bytes lie inside the file.
/// </summary>
public readonly record struct WeightTensor(nint Data, GgmlType Type, long Rows, long Columns, long RowBytes)
{
    public unsafe byte* Pointer => (byte*)Data;

    public unsafe ReadOnlySpan<byte> Row(long row)
    {
        if ((ulong)row >= (ulong)Rows) throw new ArgumentOutOfRangeException(nameof(row));
        return new ReadOnlySpan<byte>((byte*)Data + row * RowBytes, checked((int)RowBytes));
    }
}
