namespace LlamaGen.Quantization;

/// <summary>
/// The scale searches behind ggml's k-quant reference quantizers (<c>make_qx_quants</c>, <c>make_q3_quants</c>,
/// <c>make_qkx2_quants</c> in ggml/src/ggml-quants.c), ported expression for expression: the float operations, their
/// order and the integer conversions are ggml's, because a single different rounding changes the chosen scale and
/// therefore the file's bytes. Only the variants the <c>*_ref</c> quantizers call (no importance weights) are here.
/// </summary>
internal static class KQuantSolvers
{
    /// <summary>ggml's GROUP_MAX_EPS: a group whose largest magnitude is below it counts as all zeros.</summary>
    public const float GroupMaxEps = 1e-15f;

    /// <summary>
    /// <c>make_qx_quants(n, nmax, x, L, rmse_type = 1, qw = NULL)</c>: symmetric quants in [−nmax, nmax − 1] stored
    /// as <c>L = q + nmax</c>; starts from the scale mapping the extreme value to −nmax and tries 18 nearby scales,
    /// keeping the one with the smallest x²-weighted squared error. Returns the scale.
    /// </summary>
    public static float MakeQxQuantsRmse1(int n, int nmax, ReadOnlySpan<float> x, Span<sbyte> L)
    {
        float max = 0, amax = 0;
        for (int i = 0; i < n; i++)
        {
            float ax = MathF.Abs(x[i]);
            if (ax > amax) { amax = ax; max = x[i]; }
        }
        if (amax < GroupMaxEps)
        {
            L[..n].Clear();
            return 0f;
        }

        float iscale = -nmax / max;
        float sumlx = 0, suml2 = 0;
        for (int i = 0; i < n; i++)
        {
            int l = CScalar.NearestInt(iscale * x[i]);
            l = Math.Max(-nmax, Math.Min(nmax - 1, l));
            L[i] = unchecked((sbyte)(l + nmax));
            float w = x[i] * x[i];
            sumlx += w * x[i] * l;
            suml2 += w * l * l;
        }
        float scale = suml2 != 0 ? sumlx / suml2 : 0.0f;
        float best = scale * sumlx;
        for (int step = -9; step <= 9; step++)
        {
            if (step == 0) continue;
            iscale = -(nmax + 0.1f * step) / max;
            sumlx = suml2 = 0;
            for (int i = 0; i < n; i++)
            {
                int l = CScalar.NearestInt(iscale * x[i]);
                l = Math.Max(-nmax, Math.Min(nmax - 1, l));
                float w = x[i] * x[i];
                sumlx += w * x[i] * l;
                suml2 += w * l * l;
            }
            if (suml2 > 0 && sumlx * sumlx > best * suml2)
            {
                for (int i = 0; i < n; i++)
                {
                    int l = CScalar.NearestInt(iscale * x[i]);
                    L[i] = unchecked((sbyte)(nmax + Math.Max(-nmax, Math.Min(nmax - 1, l))));
                }
                scale = sumlx / suml2;
                best = scale * sumlx;
            }
        }
        return scale;
    }

    /// <summary>
    /// <c>make_q3_quants(n, nmax, x, L, do_rmse = true)</c>: symmetric quants in [−nmax, nmax − 1] (stored as
    /// <c>L = q + nmax</c>), refined by up to five passes of coordinate descent on the x²-weighted error.
    /// An all-zero group leaves <c>L = 0</c> (not offset), as ggml does. Returns the scale.
    /// </summary>
    public static float MakeQ3QuantsRmse(int n, int nmax, ReadOnlySpan<float> x, Span<sbyte> L)
    {
        float max = 0, amax = 0;
        for (int i = 0; i < n; i++)
        {
            float ax = MathF.Abs(x[i]);
            if (ax > amax) { amax = ax; max = x[i]; }
        }
        if (amax < GroupMaxEps)
        {
            L[..n].Clear();
            return 0f;
        }

        float iscale = -nmax / max;
        float sumlx = 0, suml2 = 0;
        for (int i = 0; i < n; i++)
        {
            int l = CScalar.NearestInt(iscale * x[i]);
            l = Math.Max(-nmax, Math.Min(nmax - 1, l));
            L[i] = unchecked((sbyte)l);
            float w = x[i] * x[i];
            sumlx += w * x[i] * l;
            suml2 += w * l * l;
        }
        for (int attempt = 0; attempt < 5; attempt++)
        {
            int changed = 0;
            for (int i = 0; i < n; i++)
            {
                float w = x[i] * x[i];
                float slx = sumlx - w * x[i] * L[i];
                if (slx > 0)
                {
                    float sl2 = suml2 - w * L[i] * L[i];
                    int newL = CScalar.NearestInt(x[i] * sl2 / slx);
                    newL = Math.Max(-nmax, Math.Min(nmax - 1, newL));
                    if (newL != L[i])
                    {
                        slx += w * x[i] * newL;
                        sl2 += w * newL * newL;
                        if (sl2 > 0 && slx * slx * suml2 > sumlx * sumlx * sl2)
                        {
                            L[i] = unchecked((sbyte)newL);
                            sumlx = slx;
                            suml2 = sl2;
                            changed++;
                        }
                    }
                }
            }
            if (changed == 0) break;
        }
        for (int i = 0; i < n; i++) L[i] = unchecked((sbyte)(L[i] + nmax));
        return suml2 > 0.0f ? sumlx / suml2 : 0.0f;
    }

    /// <summary>
    /// <c>make_qkx2_quants</c>: asymmetric quants <c>x ≈ scale·L − theMin</c> with L in [0, nmax]. Starts from the
    /// min/max fit, then for <paramref name="steps"/> + 1 candidate scales solves the weighted least-squares scale and
    /// offset (keeping the offset ≤ 0) and keeps the fit with the smallest weighted error (absolute or squared).
    /// Returns the scale; <paramref name="theMin"/> receives the positive offset to subtract.
    /// </summary>
    public static float MakeQkx2Quants(int n, int nmax, ReadOnlySpan<float> x, ReadOnlySpan<float> weights, Span<byte> L,
        out float theMin, Span<byte> Laux, float rmin, float rdelta, int steps, bool useMad)
    {
        float min = x[0], max = x[0];
        float sumW = weights[0];
        float sumX = sumW * x[0];
        for (int i = 1; i < n; i++)
        {
            if (x[i] < min) min = x[i];
            if (x[i] > max) max = x[i];
            float w = weights[i];
            sumW += w;
            sumX += w * x[i];
        }
        if (min > 0) min = 0;
        if (max == min)
        {
            L[..n].Clear();
            theMin = -min;
            return 0f;
        }

        float iscale = nmax / (max - min);
        float scale = 1 / iscale;
        float bestError = 0;
        for (int i = 0; i < n; i++)
        {
            int l = CScalar.NearestInt(iscale * (x[i] - min));
            L[i] = unchecked((byte)Math.Max(0, Math.Min(nmax, l)));
            float diff = scale * L[i] + min - x[i];
            diff = useMad ? MathF.Abs(diff) : diff * diff;
            bestError += weights[i] * diff;
        }
        if (steps < 1)
        {
            theMin = -min;
            return scale;
        }

        for (int step = 0; step <= steps; step++)
        {
            iscale = (rmin + rdelta * step + nmax) / (max - min);
            float sumL = 0, sumL2 = 0, sumXL = 0;
            for (int i = 0; i < n; i++)
            {
                int l = CScalar.NearestInt(iscale * (x[i] - min));
                l = Math.Max(0, Math.Min(nmax, l));
                Laux[i] = unchecked((byte)l);
                float w = weights[i];
                sumL += w * l;
                sumL2 += w * l * l;
                sumXL += w * l * x[i];
            }
            float D = sumW * sumL2 - sumL * sumL;
            if (D > 0)
            {
                float thisScale = (sumW * sumXL - sumX * sumL) / D;
                float thisMin = (sumL2 * sumX - sumL * sumXL) / D;
                if (thisMin > 0)
                {
                    thisMin = 0;
                    thisScale = sumXL / sumL2;
                }
                float error = 0;
                for (int i = 0; i < n; i++)
                {
                    float diff = thisScale * Laux[i] + thisMin - x[i];
                    diff = useMad ? MathF.Abs(diff) : diff * diff;
                    error += weights[i] * diff;
                }
                if (error < bestError)
                {
                    Laux[..n].CopyTo(L);
                    bestError = error;
                    scale = thisScale;
                    min = thisMin;
                }
            }
        }
        theMin = -min;
        return scale;
    }
}
