using System.Runtime.InteropServices;

namespace LlamaGen.Quantization;

/// <summary>
/// One Q4_0 block as ggml stores it (<c>block_q4_0</c> in ggml-common.h): a float16 scale, then 16 bytes of
/// 4-bit quants. Element j (0..15) is the low nibble of <c>Qs[j]</c> and element j+16 the high nibble, each
/// meaning <c>(q - 8) * D</c>. 18 bytes, no padding.
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
public unsafe struct BlockQ4_0
{
    /// <summary>Elements per block.</summary>
    public const int Elements = 32;
    /// <summary>Bytes per block.</summary>
    public const int Size = 2 + Elements / 2;

    public Half D;
    public fixed byte Qs[Elements / 2];
}
