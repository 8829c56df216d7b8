using System.Globalization;
using System.Runtime.CompilerServices;
using LlamaGen.Gguf;

namespace LlamaGen.Quantization;

/// <summary>
/// Finds quantized blocks whose float16 scales (<c>d</c>, and <c>dmin</c>/<c>m</c>/<c>s</c> where the format has one)
/// are NaN or infinite: a truncated download, a bad quantizer or bit rot. ggml loads such files and produces NaN
/// logits; checking once at load time turns that into an error naming the tensor, block and byte offset.
/// </summary>
/// <remarks>
/// The scan reads one 16- or 32-bit field per block, four blocks per step with a branch-free test (an all-ones float16
/// exponent plus one carries into bit 15), so it is bound by memory bandwidth: a 4 GB tensor costs about as much as
/// reading it once. Unquantized types (F32, F16, BF16) have no block scales and always pass.
/// </remarks>
public static unsafe class QuantizedBlockValidator
{
    /// <summary>
    /// Looks for a block of <paramref name="type"/> in <paramref name="data"/> (a row or a whole tensor: a whole number
    /// of blocks) whose scale is not finite; returns the first one.
    /// </summary>
    public static bool TryFindNonFiniteScale(GgmlType type, ReadOnlySpan<byte> data, out NonFiniteScale found)
    {
        fixed (byte* p = data)
        {
            return TryFindNonFiniteScale(type, p, data.Length, out found);
        }
    }

    /// <summary>
    /// Pointer form of <see cref="TryFindNonFiniteScale(GgmlType, ReadOnlySpan{byte}, out NonFiniteScale)"/> for tensors
    /// larger than a span (memory-mapped weights): checks the <paramref name="length"/> bytes at <paramref name="data"/>.
    /// </summary>
    public static bool TryFindNonFiniteScale(GgmlType type, byte* data, long length, out NonFiniteScale found)
    {
        found = default;
        if (!ScaleLayout(type, out int offset, out string first, out string? second, out bool isFloat32))
        {
            if (!GgmlTypeInfo.IsKnown(type))
                throw new NotSupportedException($"Unknown ggml tensor type {(uint)type}.");
            return false; // F32, F16, BF16: no block scales
        }
        int stride = GgmlTypeInfo.BlockBytes(type);
        if (length < 0 || length % stride != 0)
            throw new ArgumentException($"{length} bytes are not a whole number of {GgmlTypeInfo.Name(type)} blocks of {stride} bytes.", nameof(length));
        if (length > 0 && data == null) throw new ArgumentNullException(nameof(data));

        long blocks = length / stride;
        long block = second is null && !isFloat32
            ? FirstSuspectBlock16(data + offset, stride, blocks)
            : FirstSuspectBlock32(data + offset, stride, blocks, isFloat32 ? 0x7F800000u : 0x7C007C00u);
        if (block < 0) return false;

        byte* field = data + block * stride + offset;
        if (isFloat32)
        {
            uint bits = Unsafe.ReadUnaligned<uint>(field);
            found = new NonFiniteScale(block, block * stride + offset, first, BitConverter.UInt32BitsToSingle(bits), bits);
            return true;
        }
        ushort d = Unsafe.ReadUnaligned<ushort>(field);
        if (IsNonFinite16(d))
        {
            found = new NonFiniteScale(block, block * stride + offset, first, (float)BitConverter.UInt16BitsToHalf(d), d);
            return true;
        }
        ushort other = Unsafe.ReadUnaligned<ushort>(field + 2);
        found = new NonFiniteScale(block, block * stride + offset + 2, second!, (float)BitConverter.UInt16BitsToHalf(other), other);
        return true;
    }

    /// <summary>
    /// The load-time error for <paramref name="found"/> in tensor <paramref name="tensorName"/> of the GGUF file
    /// <paramref name="filePath"/>, whose data starts at file offset <paramref name="tensorDataOffset"/>: names the
    /// tensor, block, field, value and absolute byte offset.
    /// </summary>
    public static GgufFormatException NonFiniteScaleError(string filePath, string tensorName, GgmlType type, long tensorDataOffset, NonFiniteScale found)
    {
        string width = type == GgmlType.Q8_K ? "float32" : "float16";
        string hex = type == GgmlType.Q8_K ? $"0x{found.Bits:X8}" : $"0x{found.Bits:X4}";
        return new GgufFormatException(
            filePath,
            $"tensor '{tensorName}' ({GgmlTypeInfo.Name(type)}) block {found.BlockIndex} scale {found.Field}",
            tensorDataOffset + found.ByteOffset,
            $"the {width} scale is {found.Value.ToString(CultureInfo.InvariantCulture)} ({hex}, byte {found.ByteOffset} of the tensor's data); every element of the block " +
            "would dequantize to NaN or infinity. The file is corrupt or was written by a broken quantizer.");
    }

    /// <summary>
    /// Where each format keeps its scales (ggml-common.h): the offset of the first field in the block, its name, the
    /// name of a second float16 field stored right after it (or null), and whether the single field is a float32.
    /// </summary>
    internal static bool ScaleLayout(GgmlType type, out int offset, out string first, out string? second, out bool isFloat32)
    {
        (offset, first, second) = type switch
        {
            GgmlType.Q4_0 or GgmlType.Q5_0 or GgmlType.Q8_0 => (0, "d", null),
            GgmlType.Q4_1 or GgmlType.Q5_1 => (0, "d", "m"),
            GgmlType.Q8_1 => (0, "d", "s"),
            GgmlType.Q2_K => (80, "d", "dmin"),  // after scales[16] and qs[64]
            GgmlType.Q3_K => (108, "d", null),   // after hmask[32], qs[64] and scales[12]
            GgmlType.Q4_K or GgmlType.Q5_K => (0, "d", "dmin"),
            GgmlType.Q6_K => (208, "d", null),   // after ql[128], qh[64] and scales[16]
            GgmlType.Q8_K => (0, "d", null),
            _ => (-1, "", null),
        };
        isFloat32 = type == GgmlType.Q8_K;
        return offset >= 0;
    }

    private static bool IsNonFinite16(ushort bits) => (bits & 0x7C00) == 0x7C00;

    /// <summary>First block whose float16 field at <paramref name="field"/> has an all-ones exponent, or -1.</summary>
    private static long FirstSuspectBlock16(byte* field, int stride, long blocks)
    {
        long b = 0;
        for (; b + 4 <= blocks; b += 4)
        {
            byte* p = field + b * stride;
            uint any = ((Unsafe.ReadUnaligned<ushort>(p) & 0x7C00u) + 0x0400u)
                | ((Unsafe.ReadUnaligned<ushort>(p + stride) & 0x7C00u) + 0x0400u)
                | ((Unsafe.ReadUnaligned<ushort>(p + 2 * stride) & 0x7C00u) + 0x0400u)
                | ((Unsafe.ReadUnaligned<ushort>(p + 3 * stride) & 0x7C00u) + 0x0400u);
            if ((any & 0x8000u) != 0) break;
        }
        for (; b < blocks; b++)
            if (IsNonFinite16(Unsafe.ReadUnaligned<ushort>(field + b * stride))) return b;
        return -1;
    }

    /// <summary>
    /// First block whose 32-bit word at <paramref name="field"/> has an all-ones exponent under
    /// <paramref name="exponents"/> (two float16 exponents, or one float32 exponent), or -1. Adding the lowest bit of
    /// each exponent carries into the bit above it only when the exponent is all ones.
    /// </summary>
    private static long FirstSuspectBlock32(byte* field, int stride, long blocks, uint exponents)
    {
        uint carry = exponents == 0x7F800000u ? 0x00800000u : 0x04000400u;
        uint overflow = exponents == 0x7F800000u ? 0x80000000u : 0x80008000u;
        long b = 0;
        for (; b + 4 <= blocks; b += 4)
        {
            byte* p = field + b * stride;
            uint any = ((Unsafe.ReadUnaligned<uint>(p) & exponents) + carry)
                | ((Unsafe.ReadUnaligned<uint>(p + stride) & exponents) + carry)
                | ((Unsafe.ReadUnaligned<uint>(p + 2 * stride) & exponents) + carry)
                | ((Unsafe.ReadUnaligned<uint>(p + 3 * stride) & exponents) + carry);
            if ((any & overflow) != 0) break;
        }
        for (; b < blocks; b++)
            if (((Unsafe.ReadUnaligned<uint>(field + b * stride) & exponents) + carry & overflow) != 0) return b;
        return -1;
    }
}
