using System.Buffers.Binary;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace LlamaGen.Quantization;

/// <summary>
/// Reference (scalar, bit-exact with ggml's <c>dequantize_row_*</c>) conversion of one row of weights to float32.
/// Used for embedding lookups and as the oracle for the generated kernels; not for hot loops.
/// </summary>
public static class Dequantization
{
    /// <summary>
    /// Converts the row <paramref name="source"/> of <paramref name="type"/> into <paramref name="destination"/>;
    /// <paramref name="source"/> must hold exactly <c>destination.Length</c> elements.
    /// Supports every type for which <see cref="IsSupported"/> is true; throws <see cref="NotSupportedException"/> naming other types.
    /// </summary>
    public static void Row(GgmlType type, ReadOnlySpan<byte> source, Span<float> destination)
    {
        if (!IsSupported(type))
            throw new NotSupportedException(
                $"Dequantizing {GgmlTypeInfo.Name(type)} tensors is not supported (supported: {string.Join(", ", Enum.GetValues<GgmlType>().Where(IsSupported).Select(GgmlTypeInfo.Name))}).");
        long expected = GgmlTypeInfo.RowBytes(type, destination.Length);
        if (source.Length != expected)
            throw new ArgumentException(
                $"A {GgmlTypeInfo.Name(type)} row of {destination.Length} elements is {expected} bytes, but {source.Length} were given.", nameof(source));

        switch (type)
        {
            case GgmlType.F32:
                MemoryMarshal.Cast<byte, float>(source).CopyTo(destination);
                break;
            case GgmlType.F16:
                // Every float16 value is exactly representable in float32, so the conversion is exact.
                TensorPrimitives.ConvertToSingle(MemoryMarshal.Cast<byte, Half>(source), destination);
                break;
            case GgmlType.BF16:
                // bfloat16 is the upper half of a float32.
                for (int i = 0; i < destination.Length; i++)
                    destination[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(source[(2 * i)..]) << 16);
                break;
            case GgmlType.Q8_0:
                RowQ8_0(MemoryMarshal.Cast<byte, BlockQ8_0>(source), destination);
                break;
            case GgmlType.Q4_0:
                RowQ4_0(MemoryMarshal.Cast<byte, BlockQ4_0>(source), destination);
                break;
            case GgmlType.Q4_1:
                RowQ4_1(MemoryMarshal.Cast<byte, BlockQ4_1>(source), destination);
                break;
            case GgmlType.Q5_0:
                RowQ5_0(MemoryMarshal.Cast<byte, BlockQ5_0>(source), destination);
                break;
            case GgmlType.Q5_1:
                RowQ5_1(MemoryMarshal.Cast<byte, BlockQ5_1>(source), destination);
                break;
            case GgmlType.Q2_K:
                KQuantDequantization.RowQ2_K(MemoryMarshal.Cast<byte, BlockQ2_K>(source), destination);
                break;
            case GgmlType.Q3_K:
                KQuantDequantization.RowQ3_K(MemoryMarshal.Cast<byte, BlockQ3_K>(source), destination);
                break;
            case GgmlType.Q4_K:
                KQuantDequantization.RowQ4_K(MemoryMarshal.Cast<byte, BlockQ4_K>(source), destination);
                break;
            case GgmlType.Q5_K:
                KQuantDequantization.RowQ5_K(MemoryMarshal.Cast<byte, BlockQ5_K>(source), destination);
                break;
            case GgmlType.Q6_K:
                KQuantDequantization.RowQ6_K(MemoryMarshal.Cast<byte, BlockQ6_K>(source), destination);
                break;
            case GgmlType.Q8_K:
                KQuantDequantization.RowQ8_K(MemoryMarshal.Cast<byte, BlockQ8_K>(source), destination);
                break;
        }
    }

    /// <summary>
    /// Whether <see cref="Row"/> can convert <paramref name="type"/>: the float types and every quantized type for which
    /// ggml has a <c>dequantize_row_*</c> (Q8_1 has none; it only ever holds activations inside llama.cpp).
    /// </summary>
    public static bool IsSupported(GgmlType type) => type is
        GgmlType.F32 or GgmlType.F16 or GgmlType.BF16 or
        GgmlType.Q4_0 or GgmlType.Q4_1 or GgmlType.Q5_0 or GgmlType.Q5_1 or GgmlType.Q8_0 or
        GgmlType.Q2_K or GgmlType.Q3_K or GgmlType.Q4_K or GgmlType.Q5_K or GgmlType.Q6_K or GgmlType.Q8_K;

    /// <summary>Q8_0 blocks to floats: <c>q * d</c>.</summary>
    public static unsafe void RowQ8_0(ReadOnlySpan<BlockQ8_0> blocks, Span<float> destination)
    {
        if (destination.Length != blocks.Length * BlockQ8_0.Elements)
            throw new ArgumentException($"{blocks.Length} Q8_0 blocks hold {blocks.Length * BlockQ8_0.Elements} elements, not {destination.Length}.", nameof(destination));
        for (int i = 0; i < blocks.Length; i++)
        {
            float d = (float)blocks[i].D;
            fixed (sbyte* qs = blocks[i].Qs)
            {
                for (int j = 0; j < BlockQ8_0.Elements; j++)
                    destination[i * BlockQ8_0.Elements + j] = qs[j] * d;
            }
        }
    }

    /// <summary>Q4_0 blocks to floats: element j from the low nibble of byte j, element j+16 from its high nibble, <c>(q - 8) * d</c>.</summary>
    public static unsafe void RowQ4_0(ReadOnlySpan<BlockQ4_0> blocks, Span<float> destination)
    {
        const int half = BlockQ4_0.Elements / 2;
        if (destination.Length != blocks.Length * BlockQ4_0.Elements)
            throw new ArgumentException($"{blocks.Length} Q4_0 blocks hold {blocks.Length * BlockQ4_0.Elements} elements, not {destination.Length}.", nameof(destination));
        for (int i = 0; i < blocks.Length; i++)
        {
            float d = (float)blocks[i].D;
            fixed (byte* qs = blocks[i].Qs)
            {
                for (int j = 0; j < half; j++)
                {
                    destination[i * BlockQ4_0.Elements + j] = ((qs[j] & 0x0F) - 8) * d;
                    destination[i * BlockQ4_0.Elements + j + half] = ((qs[j] >> 4) - 8) * d;
                }
            }
        }
    }

    /// <summary>Q4_1 blocks to floats: nibbles as in Q4_0, unsigned, <c>q * d + m</c> (two roundings, as ggml: no fused multiply-add).</summary>
    public static unsafe void RowQ4_1(ReadOnlySpan<BlockQ4_1> blocks, Span<float> destination)
    {
        const int half = BlockQ4_1.Elements / 2;
        CheckElements(blocks.Length, BlockQ4_1.Elements, destination.Length, "Q4_1");
        fixed (BlockQ4_1* block = blocks)
        {
            for (int i = 0; i < blocks.Length; i++)
            {
                float d = (float)block[i].D, m = (float)block[i].M;
                byte* qs = block[i].Qs;
                var y = destination.Slice(i * BlockQ4_1.Elements, BlockQ4_1.Elements);
                for (int j = 0; j < half; j++)
                {
                    y[j] = (qs[j] & 0x0F) * d + m;
                    y[j + half] = (qs[j] >> 4) * d + m;
                }
            }
        }
    }

    /// <summary>Q5_0 blocks to floats: low nibbles as in Q4_0, fifth bit j of <c>qh</c> for element j, <c>(q - 16) * d</c>.</summary>
    public static unsafe void RowQ5_0(ReadOnlySpan<BlockQ5_0> blocks, Span<float> destination)
    {
        const int half = BlockQ5_0.Elements / 2;
        CheckElements(blocks.Length, BlockQ5_0.Elements, destination.Length, "Q5_0");
        fixed (BlockQ5_0* block = blocks)
        {
            for (int i = 0; i < blocks.Length; i++)
            {
                float d = (float)block[i].D;
                uint qh = BinaryPrimitives.ReadUInt32LittleEndian(new ReadOnlySpan<byte>(block[i].Qh, 4));
                byte* qs = block[i].Qs;
                var y = destination.Slice(i * BlockQ5_0.Elements, BlockQ5_0.Elements);
                for (int j = 0; j < half; j++)
                {
                    int high0 = (int)((qh >> j) & 1) << 4, high1 = (int)((qh >> (j + half)) & 1) << 4;
                    y[j] = (((qs[j] & 0x0F) | high0) - 16) * d;
                    y[j + half] = (((qs[j] >> 4) | high1) - 16) * d;
                }
            }
        }
    }

    /// <summary>Q5_1 blocks to floats: 5-bit unsigned quants as in Q5_0, <c>q * d + m</c>.</summary>
    public static unsafe void RowQ5_1(ReadOnlySpan<BlockQ5_1> blocks, Span<float> destination)
    {
        const int half = BlockQ5_1.Elements / 2;
        CheckElements(blocks.Length, BlockQ5_1.Elements, destination.Length, "Q5_1");
        fixed (BlockQ5_1* block = blocks)
        {
            for (int i = 0; i < blocks.Length; i++)
            {
                float d = (float)block[i].D, m = (float)block[i].M;
                uint qh = BinaryPrimitives.ReadUInt32LittleEndian(new ReadOnlySpan<byte>(block[i].Qh, 4));
                byte* qs = block[i].Qs;
                var y = destination.Slice(i * BlockQ5_1.Elements, BlockQ5_1.Elements);
                for (int j = 0; j < half; j++)
                {
                    int high0 = (int)((qh >> j) & 1) << 4, high1 = (int)((qh >> (j + half)) & 1) << 4;
                    y[j] = ((qs[j] & 0x0F) | high0) * d + m;
                    y[j + half] = ((qs[j] >> 4) | high1) * d + m;
                }
            }
        }
    }

    internal static void CheckElements(int blocks, int elementsPerBlock, int destination, string type)
    {
        if (destination != (long)blocks * elementsPerBlock)
            throw new ArgumentException($"{blocks} {type} blocks hold {(long)blocks * elementsPerBlock} elements, not {destination}.", nameof(destination));
    }
}
