using System.Runtime.InteropServices;

namespace LlamaGen.Quantization;

/// <summary>
/// One Q8_K block as ggml stores it (<c>block_q8_K</c> in ggml-common.h): a float32 scale (not float16, unlike every
/// other block), 256 signed 8-bit quants, then the sums of each group of 16 quants as int16, which the K-quant dot
/// products use to apply the weights' group mins without touching the quants again. Element j is <c>Qs[j] * D</c>.
/// 292 bytes, no padding. It is the activation side of the K-quant matrix-vector products, rarely a weight type.
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
public unsafe struct BlockQ8_K
{
    /// <summary>Elements per block (ggml's <c>QK_K</c>).</summary>
    public const int Elements = 256;
    /// <summary>Bytes per block.</summary>
    public const int Size = 4 + Elements + Elements / 16 * 2;

    public float D;
    public fixed sbyte Qs[Elements];
    public fixed short BSums[Elements / 16];
}
