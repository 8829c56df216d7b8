using System.Runtime.InteropServices;

namespace LlamaGen.Quantization;

/// <summary>
/// One Q5_0 block as ggml stores it (<c>block_q5_0</c> in ggml-common.h): a float16 scale, 4 bytes holding the fifth
/// bit of each element (bit j of the little-endian 32-bit word <c>Qh</c> belongs to element j), then 16 bytes of low
/// nibbles laid out as in Q4_0. Each element means <c>(q - 16) * D</c>. 22 bytes, no padding; <c>Qh</c> is a byte
/// array because it sits at offset 2, unaligned for a 32-bit integer.
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
public unsafe struct BlockQ5_0
{
    /// <summary>Elements per block.</summary>
    public const int Elements = 32;
    /// <summary>Bytes per block.</summary>
    public const int Size = 2 + 4 + Elements / 2;

    public Half D;
    public fixed byte Qh[4];
    public fixed byte Qs[Elements / 2];
}
