namespace LlamaGen.Quantization;

/// <summary>
/// Reference quantizers for the k-quant super-block formats (256 elements per block), ported from ggml's
/// <c>quantize_row_q2_K_ref</c> … <c>quantize_row_q6_K_ref</c> (ggml/src/ggml-quants.c). llama.cpp's quantizer runs
/// exactly these when no importance matrix is given, so files we write match llama.cpp's byte for byte; the tests
/// compare every function with libggml-base. Destinations are raw block bytes in ggml-common.h's layout:
/// <list type="bullet">
/// <item>block_q2_K (84 bytes): scales[16] (low nibble scale, high nibble min, per 16 elements), qs[64] (2 bits), half d, half dmin.</item>
/// <item>block_q3_K (110 bytes): hmask[32] (3rd bit), qs[64] (low 2 bits), scales[12] (sixteen 6-bit scales), half d.</item>
/// <item>block_q4_K (144 bytes): half d, half dmin, scales[12] (eight 6-bit scales and mins), qs[128] (4 bits).</item>
/// <item>block_q5_K (176 bytes): half d, half dmin, scales[12], qh[32] (5th bit), qs[128] (low 4 bits).</item>
/// <item>block_q6_K (210 bytes): ql[128] (low 4 bits), qh[64] (high 2 bits), int8 scales[16], half d.</item>
/// </list>
/// </summary>
public static class KQuantization
{
    /// <summary>Elements per super-block (ggml's QK_K).</summary>
    public const int QK_K = 256;

    /// <summary>
    /// Q2_K: per 16 elements an asymmetric 2-bit fit (<c>make_qkx2_quants</c>, |x|-weighted absolute error), the
    /// sixteen scales and mins quantized to 4 bits against the super-block's largest, then the quants recomputed
    /// with the stored scales.
    /// </summary>
    public static void QuantizeRowQ2_K(ReadOnlySpan<float> source, Span<byte> destination)
    {
        const int blockBytes = 84;
        const float q4scale = 15f;
        int blocks = CScalar.BlockCount(source.Length, destination.Length, QK_K, blockBytes, "Q2_K");
        Span<byte> L = stackalloc byte[QK_K];
        Span<byte> Laux = stackalloc byte[16];
        Span<float> weights = stackalloc float[16];
        Span<float> mins = stackalloc float[QK_K / 16];
        Span<float> scales = stackalloc float[QK_K / 16];

        for (int i = 0; i < blocks; i++)
        {
            var x = source.Slice(i * QK_K, QK_K);
            var y = destination.Slice(i * blockBytes, blockBytes);
            var yScales = y[..16];
            var qs = y.Slice(16, 64);
            var yD = y.Slice(80, 2);
            var yDmin = y.Slice(82, 2);

            float maxScale = 0, maxMin = 0; // the min is subtracted, so scales are never negative
            for (int j = 0; j < QK_K / 16; j++)
            {
                for (int l = 0; l < 16; l++) weights[l] = MathF.Abs(x[16 * j + l]);
                scales[j] = KQuantSolvers.MakeQkx2Quants(16, 3, x.Slice(16 * j, 16), weights, L.Slice(16 * j, 16), out mins[j], Laux, -0.5f, 0.1f, 15, true);
                if (scales[j] > maxScale) maxScale = scales[j];
                if (mins[j] > maxMin) maxMin = mins[j];
            }

            if (maxScale > 0)
            {
                float iscale = q4scale / maxScale;
                for (int j = 0; j < QK_K / 16; j++)
                    yScales[j] = unchecked((byte)CScalar.NearestInt(iscale * scales[j]));
                CScalar.WriteHalf(yD, maxScale / q4scale);
            }
            else
            {
                yScales.Clear();
                CScalar.WriteHalf(yD, 0f);
            }
            if (maxMin > 0)
            {
                float iscale = q4scale / maxMin;
                for (int j = 0; j < QK_K / 16; j++)
                    yScales[j] = unchecked((byte)(yScales[j] | (CScalar.NearestInt(iscale * mins[j]) << 4)));
                CScalar.WriteHalf(yDmin, maxMin / q4scale);
            }
            else
            {
                CScalar.WriteHalf(yDmin, 0f);
            }

            for (int j = 0; j < QK_K / 16; j++)
            {
                float d = CScalar.ReadHalf(yD) * (yScales[j] & 0xF);
                if (d == 0) continue;
                float dm = CScalar.ReadHalf(yDmin) * (yScales[j] >> 4);
                for (int ii = 0; ii < 16; ii++)
                {
                    int l = CScalar.NearestInt((x[16 * j + ii] + dm) / d);
                    L[16 * j + ii] = (byte)Math.Max(0, Math.Min(3, l));
                }
            }

            for (int j = 0; j < QK_K; j += 128)
                for (int l = 0; l < 32; l++)
                    qs[j / 4 + l] = unchecked((byte)(L[j + l] | (L[j + l + 32] << 2) | (L[j + l + 64] << 4) | (L[j + l + 96] << 6)));
        }
    }

    /// <summary>
    /// Q3_K: per 16 elements a symmetric 3-bit fit (<c>make_q3_quants</c> with coordinate descent), the sixteen
    /// scales quantized to 6 bits against the one of largest magnitude, then the quants recomputed with the stored
    /// scales; the third bit of each quant goes to <c>hmask</c>.
    /// </summary>
    public static void QuantizeRowQ3_K(ReadOnlySpan<float> source, Span<byte> destination)
    {
        const int blockBytes = 110;
        int blocks = CScalar.BlockCount(source.Length, destination.Length, QK_K, blockBytes, "Q3_K");
        Span<sbyte> L = stackalloc sbyte[QK_K];
        Span<float> scales = stackalloc float[QK_K / 16];

        for (int i = 0; i < blocks; i++)
        {
            var x = source.Slice(i * QK_K, QK_K);
            var y = destination.Slice(i * blockBytes, blockBytes);
            var hmask = y[..32];
            var qs = y.Slice(32, 64);
            var yScales = y.Slice(96, 12);
            var yD = y.Slice(108, 2);

            float maxScale = 0, amax = 0;
            for (int j = 0; j < QK_K / 16; j++)
            {
                scales[j] = KQuantSolvers.MakeQ3QuantsRmse(16, 4, x.Slice(16 * j, 16), L.Slice(16 * j, 16));
                float scale = MathF.Abs(scales[j]);
                if (scale > amax)
                {
                    amax = scale;
                    maxScale = scales[j];
                }
            }

            yScales.Clear();
            if (maxScale != 0)
            {
                float iscale = -32f / maxScale;
                for (int j = 0; j < QK_K / 16; j++)
                {
                    // int8_t l = nearest_int(...): the int is narrowed to int8 before clamping, as in ggml.
                    int l = unchecked((sbyte)CScalar.NearestInt(iscale * scales[j]));
                    l = Math.Max(-32, Math.Min(31, l)) + 32;
                    if (j < 8) yScales[j] = (byte)(l & 0xF);
                    else yScales[j - 8] |= (byte)((l & 0xF) << 4);
                    l >>= 4;
                    yScales[j % 4 + 8] |= (byte)(l << (2 * (j / 4)));
                }
                CScalar.WriteHalf(yD, 1 / iscale);
            }
            else
            {
                CScalar.WriteHalf(yD, 0f);
            }

            for (int j = 0; j < QK_K / 16; j++)
            {
                int sc = j < 8 ? yScales[j] & 0xF : yScales[j - 8] >> 4;
                sc = (sc | (((yScales[8 + j % 4] >> (2 * (j / 4))) & 3) << 4)) - 32;
                float d = CScalar.ReadHalf(yD) * sc;
                if (d == 0) continue;
                for (int ii = 0; ii < 16; ii++)
                {
                    int l = CScalar.NearestInt(x[16 * j + ii] / d);
                    L[16 * j + ii] = (sbyte)(Math.Max(-4, Math.Min(3, l)) + 4);
                }
            }

            // The high bit of the first 32 quants goes to bit 0 of hmask[0..31], of the next 32 to bit 1, and so on.
            hmask.Clear();
            int m = 0;
            byte hm = 1;
            for (int j = 0; j < QK_K; j++)
            {
                if (L[j] > 3)
                {
                    hmask[m] |= hm;
                    L[j] -= 4;
                }
                if (++m == QK_K / 8)
                {
                    m = 0;
                    hm <<= 1;
                }
            }
            for (int j = 0; j < QK_K; j += 128)
                for (int l = 0; l < 32; l++)
                    // L is 0..3 here (the high bit went to hmask), so reading it as a byte changes nothing.
                    qs[j / 4 + l] = unchecked((byte)((byte)L[j + l] | ((byte)L[j + l + 32] << 2) | ((byte)L[j + l + 64] << 4) | ((byte)L[j + l + 96] << 6)));
        }
    }

    /// <summary>
    /// Q4_K: per 32 elements an asymmetric 4-bit fit (<c>make_qkx2_quants</c>, weights <c>rms + |x|</c>, squared
    /// error), the eight scales and mins quantized to 6 bits, then the quants recomputed with the stored values.
    /// </summary>
    public static void QuantizeRowQ4_K(ReadOnlySpan<float> source, Span<byte> destination) =>
        QuantizeRowQ45_K(source, destination, nmax: 15, rmin: -1f, rdelta: 0.1f, steps: 20, blockBytes: 144, name: "Q4_K");

    /// <summary>Q5_K: as Q4_K with 5-bit quants (search from −0.5 in 15 steps); the fifth bit goes to <c>qh</c>.</summary>
    public static void QuantizeRowQ5_K(ReadOnlySpan<float> source, Span<byte> destination) =>
        QuantizeRowQ45_K(source, destination, nmax: 31, rmin: -0.5f, rdelta: 0.1f, steps: 15, blockBytes: 176, name: "Q5_K");

    /// <summary>The shared body of <c>quantize_row_q4_K_ref</c> and <c>quantize_row_q5_K_ref</c>; they differ in the search and the quant packing.</summary>
    private static void QuantizeRowQ45_K(ReadOnlySpan<float> source, Span<byte> destination, int nmax, float rmin, float rdelta, int steps,
        int blockBytes, string name)
    {
        int blocks = CScalar.BlockCount(source.Length, destination.Length, QK_K, blockBytes, name);
        Span<byte> L = stackalloc byte[QK_K];
        Span<byte> Laux = stackalloc byte[32];
        Span<float> weights = stackalloc float[32];
        Span<float> mins = stackalloc float[QK_K / 32];
        Span<float> scales = stackalloc float[QK_K / 32];

        for (int i = 0; i < blocks; i++)
        {
            var x = source.Slice(i * QK_K, QK_K);
            var y = destination.Slice(i * blockBytes, blockBytes);
            var yD = y[..2];
            var yDmin = y.Slice(2, 2);
            var yScales = y.Slice(4, 12);

            float maxScale = 0, maxMin = 0;
            for (int j = 0; j < QK_K / 32; j++)
            {
                float sumX2 = 0;
                for (int l = 0; l < 32; l++) sumX2 += x[32 * j + l] * x[32 * j + l];
                float avX = MathF.Sqrt(sumX2 / 32);
                for (int l = 0; l < 32; l++) weights[l] = avX + MathF.Abs(x[32 * j + l]);
                scales[j] = KQuantSolvers.MakeQkx2Quants(32, nmax, x.Slice(32 * j, 32), weights, L.Slice(32 * j, 32), out mins[j], Laux,
                    rmin, rdelta, steps, useMad: false);
                if (scales[j] > maxScale) maxScale = scales[j];
                if (mins[j] > maxMin) maxMin = mins[j];
            }

            float invScale = maxScale > 0 ? 63f / maxScale : 0f;
            float invMin = maxMin > 0 ? 63f / maxMin : 0f;
            for (int j = 0; j < QK_K / 32; j++)
            {
                // uint8_t ls = nearest_int(...); ls = MIN(63, ls): narrowed to a byte first, then clamped.
                byte ls = Math.Min((byte)63, unchecked((byte)CScalar.NearestInt(invScale * scales[j])));
                byte lm = Math.Min((byte)63, unchecked((byte)CScalar.NearestInt(invMin * mins[j])));
                if (j < 4)
                {
                    yScales[j] = ls;
                    yScales[j + 4] = lm;
                }
                else
                {
                    yScales[j + 4] = (byte)((ls & 0xF) | ((lm & 0xF) << 4));
                    yScales[j - 4] |= (byte)((ls >> 4) << 6);
                    yScales[j] |= (byte)((lm >> 4) << 6);
                }
            }
            CScalar.WriteHalf(yD, maxScale / 63f);
            CScalar.WriteHalf(yDmin, maxMin / 63f);

            for (int j = 0; j < QK_K / 32; j++)
            {
                GetScaleMinK4(j, yScales, out byte sc, out byte m);
                float d = CScalar.ReadHalf(yD) * sc;
                if (d == 0) continue;
                float dm = CScalar.ReadHalf(yDmin) * m;
                for (int ii = 0; ii < 32; ii++)
                {
                    int l = CScalar.NearestInt((x[32 * j + ii] + dm) / d);
                    L[32 * j + ii] = (byte)Math.Max(0, Math.Min(nmax, l));
                }
            }

            if (nmax == 15)
            {
                var q = y.Slice(16, 128);
                for (int j = 0, at = 0; j < QK_K; j += 64, at += 32)
                    for (int l = 0; l < 32; l++)
                        q[at + l] = (byte)(L[j + l] | (L[j + l + 32] << 4));
            }
            else
            {
                var qh = y.Slice(16, 32);
                var ql = y.Slice(48, 128);
                qh.Clear();
                byte m1 = 1, m2 = 2;
                for (int n = 0, at = 0; n < QK_K; n += 64, at += 32)
                {
                    for (int j = 0; j < 32; j++)
                    {
                        int l1 = L[n + j];
                        if (l1 > 15)
                        {
                            l1 -= 16;
                            qh[j] |= m1;
                        }
                        int l2 = L[n + j + 32];
                        if (l2 > 15)
                        {
                            l2 -= 16;
                            qh[j] |= m2;
                        }
                        ql[at + j] = (byte)(l1 | (l2 << 4));
                    }
                    m1 <<= 2;
                    m2 <<= 2;
                }
            }
        }
    }

    /// <summary>
    /// Q6_K: per 16 elements a symmetric 6-bit fit (<c>make_qx_quants</c>, x²-weighted), the sixteen scales
    /// quantized to int8 against the one of largest magnitude, then the quants recomputed with the stored scales.
    /// </summary>
    public static void QuantizeRowQ6_K(ReadOnlySpan<float> source, Span<byte> destination)
    {
        const int blockBytes = 210;
        int blocks = CScalar.BlockCount(source.Length, destination.Length, QK_K, blockBytes, "Q6_K");
        Span<sbyte> L = stackalloc sbyte[QK_K];
        Span<float> scales = stackalloc float[QK_K / 16];

        for (int i = 0; i < blocks; i++)
        {
            var x = source.Slice(i * QK_K, QK_K);
            var y = destination.Slice(i * blockBytes, blockBytes);
            var yScales = y.Slice(192, 16);
            var yD = y.Slice(208, 2);

            float maxScale = 0, maxAbsScale = 0;
            for (int ib = 0; ib < QK_K / 16; ib++)
            {
                float scale = KQuantSolvers.MakeQxQuantsRmse1(16, 32, x.Slice(16 * ib, 16), L.Slice(16 * ib, 16));
                scales[ib] = scale;
                float absScale = MathF.Abs(scale);
                if (absScale > maxAbsScale)
                {
                    maxAbsScale = absScale;
                    maxScale = scale;
                }
            }

            if (maxAbsScale < KQuantSolvers.GroupMaxEps)
            {
                y.Clear(); // an all-zero block: d = 0 and every byte 0
                continue;
            }

            float iscale = -128f / maxScale;
            CScalar.WriteHalf(yD, 1 / iscale);
            for (int ib = 0; ib < QK_K / 16; ib++)
                yScales[ib] = unchecked((byte)(sbyte)Math.Min(127, CScalar.NearestInt(iscale * scales[ib])));

            for (int j = 0; j < QK_K / 16; j++)
            {
                float d = CScalar.ReadHalf(yD) * (sbyte)yScales[j];
                if (d == 0) continue;
                for (int ii = 0; ii < 16; ii++)
                {
                    int l = CScalar.NearestInt(x[16 * j + ii] / d);
                    L[16 * j + ii] = (sbyte)(Math.Max(-32, Math.Min(31, l)) + 32);
                }
            }

            var ql = y[..128];
            var qh = y.Slice(128, 64);
            for (int j = 0, lo = 0, hi = 0; j < QK_K; j += 128, lo += 64, hi += 32)
            {
                for (int l = 0; l < 32; l++)
                {
                    int q1 = L[j + l] & 0xF;
                    int q2 = L[j + l + 32] & 0xF;
                    int q3 = L[j + l + 64] & 0xF;
                    int q4 = L[j + l + 96] & 0xF;
                    ql[lo + l] = (byte)(q1 | (q3 << 4));
                    ql[lo + l + 32] = (byte)(q2 | (q4 << 4));
                    qh[hi + l] = unchecked((byte)((L[j + l] >> 4) | ((L[j + l + 32] >> 4) << 2) | ((L[j + l + 64] >> 4) << 4) | ((L[j + l + 96] >> 4) << 6)));
                }
            }
        }
    }

    /// <summary>ggml's <c>get_scale_min_k4</c>: the j-th 6-bit scale and min of a Q4_K/Q5_K block's 12 packed bytes.</summary>
    private static void GetScaleMinK4(int j, ReadOnlySpan<byte> q, out byte d, out byte m)
    {
        if (j < 4)
        {
            d = (byte)(q[j] & 63);
            m = (byte)(q[j + 4] & 63);
        }
        else
        {
            d = (byte)((q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4));
            m = (byte)((q[j + 4] >> 4) | ((q[j] >> 6) << 4));
        }
    }
}
