using System.Runtime.InteropServices;

namespace LlamaGen.Quantization;

/// <summary>
/// One Q4_K super-block as ggml stores it (<c>block_q4_K</c> in ggml-common.h): 256 elements in 8 groups of 32.
/// The float16 <c>D</c> and <c>DMin</c> scale eight 6-bit group scales and eight 6-bit group mins packed into
/// <c>Scales</c> (ggml's <c>get_scale_min_k4</c>, here <see cref="KQuantDequantization.ScaleMinK4"/>). <c>Qs</c> holds
/// 4-bit quants: each 32-byte chunk carries two groups, the first in the low nibbles and the second in the high ones.
/// An element is <c>D * scale * q - DMin * min</c>. 144 bytes, no padding.
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
public unsafe struct BlockQ4_K
{
    /// <summary>Elements per super-block (ggml's <c>QK_K</c>).</summary>
    public const int Elements = 256;
    /// <summary>Bytes per super-block.</summary>
    public const int Size = 2 + 2 + 12 + Elements / 2;

    public Half D;
    public Half DMin;
    public fixed byte Scales[12];
    public fixed byte Qs[Elements / 2];
}
