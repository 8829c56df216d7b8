using System.Runtime.InteropServices;

namespace LlamaGen.Quantization;

/// <summary>
/// One Q3_K super-block as ggml stores it (<c>block_q3_K</c> in ggml-common.h): 256 elements in 16 groups of 16.
/// <c>HMask</c> holds the third (high) bit of every element, <c>Qs</c> the low two bits (four per byte), and
/// <c>Scales</c> sixteen 6-bit signed group scales packed into 12 bytes (see
/// <see cref="KQuantDequantization.UnpackQ3_KScales"/>). An element is <c>D * (scale - 32) * (q - 4)</c>, where the
/// stored high bit set means "do not subtract 4". 110 bytes, no padding; the float16 <c>D</c> comes last.
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
public unsafe struct BlockQ3_K
{
    /// <summary>Elements per super-block (ggml's <c>QK_K</c>).</summary>
    public const int Elements = 256;
    /// <summary>Bytes per super-block.</summary>
    public const int Size = Elements / 8 + Elements / 4 + 12 + 2;

    public fixed byte HMask[Elements / 8];
    public fixed byte Qs[Elements / 4];
    public fixed byte Scales[12];
    public Half D;
}
