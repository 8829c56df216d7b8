using System.Runtime.InteropServices;
using LlamaGen.Quantization;

namespace LlamaGen.Bench;

/// <summary>
/// The operands of one benchmarked product in native memory, as a loaded model holds them: weights of a type in the
/// layout its kernels read (quantized types repacked into interleaved groups of 8 rows), <see cref="Tokens"/> float
/// activations and their kernel inputs, and the output. The values do not change the kernels' speed, but they are kept
/// realistic: finite f16 scales, and real K-quant blocks (64 random rows quantized by the reference quantizer, repeated
/// down the matrix: quantizing every row of a 32000x4096 matrix would make each setup take seconds).
/// </summary>
public sealed unsafe class KernelOperands : IDisposable
{
    private const int DistinctRows = 64;

    public KernelOperands(GgmlType type, int rows, int columns, int tokens = 1, int seed = 1)
    {
        Type = type;
        Rows = rows;
        Columns = columns;
        Tokens = tokens;
        var random = new Random(seed);
        long rowBytes = GgmlTypeInfo.RowBytes(type, columns);
        long plainBytes = rows * rowBytes;
        byte* plain = (byte*)NativeMemory.AlignedAlloc((nuint)plainBytes, 64);
        if (KQuantInterleavedLayout.IsKQuant(type))
        {
            var values = new float[columns];
            var distinct = new byte[DistinctRows * rowBytes];
            for (int r = 0; r < DistinctRows; r++)
            {
                for (int i = 0; i < columns; i++) values[i] = (random.NextSingle() - 0.5f) * 0.04f;
                ReferenceQuantization.QuantizeRow(type, values, distinct.AsSpan((int)(r * rowBytes), (int)rowBytes));
            }
            for (long r = 0; r < rows; r++)
                distinct.AsSpan((int)(r % DistinctRows * rowBytes), (int)rowBytes).CopyTo(new Span<byte>(plain + r * rowBytes, (int)rowBytes));
        }
        else if (type == GgmlType.F32)
        {
            for (long i = 0; i < plainBytes / 4; i++) ((float*)plain)[i] = random.NextSingle() - 0.5f;
        }
        else
        {
            for (long offset = 0; offset < plainBytes; offset += int.MaxValue)
                random.NextBytes(new Span<byte>(plain + offset, (int)Math.Min(int.MaxValue, plainBytes - offset)));
            // Sane halves and scales: random bytes could be f16 infinities or NaNs, which no real weight file contains.
            int stride = type is GgmlType.F16 or GgmlType.BF16 ? 2 : GgmlTypeInfo.BlockBytes(type);
            for (long offset = 0; offset < plainBytes; offset += stride) *(Half*)(plain + offset) = (Half)(random.NextSingle() * 0.02f);
            if (type is GgmlType.Q4_1 or GgmlType.Q5_1) // the minimum m, the block's second f16
                for (long offset = 2; offset < plainBytes; offset += stride) *(Half*)(plain + offset) = (Half)(random.NextSingle() * -0.1f);
            if (type == GgmlType.BF16) // bf16 halves: the upper 16 bits of small floats
                for (long i = 0; i < plainBytes / 2; i++) ((ushort*)plain)[i] = (ushort)(BitConverter.SingleToInt32Bits((random.NextSingle() - 0.5f) * 0.04f) >> 16);
        }
        if (InterleavedLayout.IsInterleaved(type))
        {
            Weights = (byte*)NativeMemory.AlignedAlloc((nuint)InterleavedLayout.Bytes(type, rows, columns), 64);
            InterleavedLayout.Repack(type, plain, rows, columns, Weights, 0, (rows + InterleavedLayout.GroupRows - 1) / InterleavedLayout.GroupRows);
            NativeMemory.AlignedFree(plain);
        }
        else
        {
            Weights = plain;
        }

        X = (float*)NativeMemory.AlignedAlloc((nuint)((long)tokens * columns * sizeof(float)), 64);
        for (long i = 0; i < (long)tokens * columns; i++) X[i] = random.NextSingle() * 2 - 1;
        InputBytes = KQuantInterleavedLayout.IsKQuant(type) ? ActivationQuantizer.KernelInputBytesQ8_K(columns)
            : InterleavedLayout.IsInterleaved(type) ? ActivationQuantizer.KernelInputBytes(columns) : 0;
        Xq8 = InputBytes == 0 ? null : (byte*)NativeMemory.AlignedAlloc((nuint)((long)tokens * InputBytes), 64);
        Y = (float*)NativeMemory.AlignedAlloc((nuint)((long)tokens * rows * sizeof(float)), 64);
        QuantizeInputs();
    }

    public GgmlType Type { get; }
    public int Rows { get; }
    public int Columns { get; }
    public int Tokens { get; }
    public int InputBytes { get; }
    public byte* Weights { get; private set; }
    public float* X { get; private set; }
    public byte* Xq8 { get; private set; }
    public float* Y { get; private set; }

    /// <summary>Quantizes every token's activation into the kernels' input, as the forward pass does once per product.</summary>
    public void QuantizeInputs()
    {
        if (InputBytes == 0) return;
        for (int t = 0; t < Tokens; t++)
        {
            if (KQuantInterleavedLayout.IsKQuant(Type)) ActivationQuantizer.QuantizeKernelInputQ8_K(X + (long)t * Columns, Xq8 + (long)t * InputBytes, Columns);
            else ActivationQuantizer.QuantizeKernelInput(X + (long)t * Columns, Xq8 + (long)t * InputBytes, Columns);
        }
    }

    public void Dispose()
    {
        NativeMemory.AlignedFree(Weights);
        NativeMemory.AlignedFree(X);
        NativeMemory.AlignedFree(Xq8);
        NativeMemory.AlignedFree(Y);
        Weights = null;
        X = null;
        Xq8 = null;
        Y = null;
    }
}
