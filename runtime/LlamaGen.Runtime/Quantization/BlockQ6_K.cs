using System.Runtime.InteropServices;

namespace LlamaGen.Quantization;

/// <summary>
/// One Q6_K super-block as ggml stores it (<c>block_q6_K</c> in ggml-common.h): 256 elements in 16 groups of 16.
/// <c>Ql</c> holds the low four bits and <c>Qh</c> the high two bits of each 6-bit quant; <c>Scales</c> are signed
/// 8-bit group scales. An element is <c>D * scale * (q - 32)</c>. 210 bytes, no padding; the float16 <c>D</c> comes last.
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
public unsafe struct BlockQ6_K
{
    /// <summary>Elements per super-block (ggml's <c>QK_K</c>).</summary>
    public const int Elements = 256;
    /// <summary>Bytes per super-block.</summary>
    public const int Size = Elements / 2 + Elements / 4 + Elements / 16 + 2;

    public fixed byte Ql[Elements / 2];
    public fixed byte Qh[Elements / 4];
    public fixed sbyte Scales[Elements / 16];
    public Half D;
}
