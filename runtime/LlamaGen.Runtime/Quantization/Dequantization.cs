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
    /// Supports F32, F16, BF16, Q8_0 and Q4_0; throws <see cref="NotSupportedException"/> naming other types.
    /// </summary>
    public static void Row(GgmlType type, ReadOnlySpan<byte> source, Span<float> destination)
    {
        if (type is not (GgmlType.F32 or GgmlType.F16 or GgmlType.BF16 or GgmlType.Q8_0 or GgmlType.Q4_0))
            throw new NotSupportedException($"Dequantizing {GgmlTypeInfo.Name(type)} tensors is not supported (supported: f32, f16, bf16, q8_0, q4_0).");
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
        }
    }

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
}
