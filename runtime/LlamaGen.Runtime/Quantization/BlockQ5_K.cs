using System.Runtime.InteropServices;

namespace LlamaGen.Quantization;

/// <summary>
/// One Q5_K super-block as ggml stores it (<c>block_q5_K</c> in ggml-common.h): like <see cref="BlockQ4_K"/> plus a
/// fifth bit per element in <c>Qh</c> (bit 2k of <c>Qh[l]</c> for element l of group 2k, bit 2k+1 for group 2k+1).
/// An element is <c>D * scale * q - DMin * min</c> with q in 0..31. 176 bytes, no padding.
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
public unsafe struct BlockQ5_K
{
    /// <summary>Elements per super-block (ggml's <c>QK_K</c>).</summary>
    public const int Elements = 256;
    /// <summary>Bytes per super-block.</summary>
    public const int Size = 2 + 2 + 12 + Elements / 8 + Elements / 2;

    public Half D;
    public Half DMin;
    public fixed byte Scales[12];
    public fixed byte Qh[Elements / 8];
    public fixed byte Qs[Elements / 2];
}
