using System.Runtime.InteropServices;

namespace LlamaGen.Quantization;

/// <summary>
/// One Q2_K super-block as ggml stores it (<c>block_q2_K</c> in ggml-common.h): 256 elements in 16 groups of 16.
/// <c>Scales[g]</c> holds group g's 4-bit scale (low nibble) and 4-bit min (high nibble); <c>Qs</c> holds 2-bit quants,
/// four per byte; the float16 <c>D</c> and <c>DMin</c> scale the scales and the mins. An element is
/// <c>D * scale * q - DMin * min</c>. 84 bytes, no padding; the super-block scales come last.
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
public unsafe struct BlockQ2_K
{
    /// <summary>Elements per super-block (ggml's <c>QK_K</c>).</summary>
    public const int Elements = 256;
    /// <summary>Bytes per super-block.</summary>
    public const int Size = Elements / 16 + Elements / 4 + 2 + 2;

    public fixed byte Scales[Elements / 16];
    public fixed byte Qs[Elements / 4];
    public Half D;
    public Half DMin;
}
