using System.Runtime.InteropServices;

namespace LlamaGen.Quantization;

/// <summary>
/// One Q8_0 block as ggml stores it (<c>block_q8_0</c> in ggml-common.h): a float16 scale, then 32 signed
/// 8-bit quants; element j is <c>Qs[j] * D</c>. 34 bytes, no padding.
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
public unsafe struct BlockQ8_0
{
    /// <summary>Elements per block.</summary>
    public const int Elements = 32;
    /// <summary>Bytes per block.</summary>
    public const int Size = 2 + Elements;

    public Half D;
    public fixed sbyte Qs[Elements];
}
