using System.Runtime.InteropServices;

namespace LlamaGen.Quantization;

/// <summary>
/// One Q4_1 block as ggml stores it (<c>block_q4_1</c> in ggml-common.h): a float16 scale <c>D</c>, a float16
/// minimum <c>M</c>, then 16 bytes of 4-bit quants. Element j (0..15) is the low nibble of <c>Qs[j]</c> and element
/// j+16 the high nibble, each meaning <c>q * D + M</c>. 20 bytes, no padding.
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
public unsafe struct BlockQ4_1
{
    /// <summary>Elements per block.</summary>
    public const int Elements = 32;
    /// <summary>Bytes per block.</summary>
    public const int Size = 2 + 2 + Elements / 2;

    public Half D;
    public Half M;
    public fixed byte Qs[Elements / 2];
}
