using LlamaGen.Quantization;

namespace LlamaGen.Models;

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

    // Replaces the compiler's PrintMembers (used by ToString), which also prints the pointer property Pointer:
    // the IL it emits for a pointer-typed member crashes NativeAOT's compiler ("Code generation failed for method
    // WeightTensor.PrintMembers", InvalidCastException in ILC 10.0), so `PublishAot` of any app using this type fails.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append($"Data = 0x{Data:x}, Type = {Type}, Rows = {Rows}, Columns = {Columns}, RowBytes = {RowBytes}");
        return true;
    }
}
