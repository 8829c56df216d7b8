using System.Runtime.InteropServices;

namespace LlamaGen.Quantization;

/// <summary>
/// One Q5_1 block as ggml stores it (<c>block_q5_1</c> in ggml-common.h): a float16 scale <c>D</c>, a float16 minimum
/// <c>M</c>, the fifth bits in <c>Qh</c> (as in <see cref="BlockQ5_0"/>), then 16 bytes of low nibbles. Each element
/// means <c>q * D + M</c> with q in 0..31. 24 bytes, no padding.
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
public unsafe struct BlockQ5_1
{
    /// <summary>Elements per block.</summary>
    public const int Elements = 32;
    /// <summary>Bytes per block.</summary>
    public const int Size = 2 + 2 + 4 + Elements / 2;

    public Half D;
    public Half M;
    public fixed byte Qh[4];
    public fixed byte Qs[Elements / 2];
}
