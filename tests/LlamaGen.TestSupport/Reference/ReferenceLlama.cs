namespace LlamaGen.TestSupport.Reference;

/// <summary>
/// A line-by-line C# port of llama2.c <c>run.c</c>'s <c>forward()</c>: plain scalar loops in float32 (never
/// double), no SIMD, no shared code with the runtime or the generator. It is the oracle the generated models are
/// checked against, and is itself checked against llama2.c's printed output (the golden file).
/// </summary>
public sealed class ReferenceLlama
{
    private readonly ReferenceLlamaWeights w;

    // run.c's RunState.
    private readonly float[] x, xb, xb2, hb, hb2, q, k, v, att, logits, keyCache, valueCache;

    public ReferenceLlama(ReferenceLlamaWeights weights)
    {
        w = weights;
        x = new float[w.Dim];
        xb = new float[w.Dim];
        xb2 = new float[w.Dim];
        hb = new float[w.HiddenDim];
        hb2 = new float[w.HiddenDim];
        q = new float[w.Dim];
        k = new float[w.KvDim];
        v = new float[w.KvDim];
        att = new float[w.Heads * w.SeqLen];
        logits = new float[w.VocabSize];
        keyCache = new float[(long)w.Layers * w.SeqLen * w.KvDim];
        valueCache = new float[(long)w.Layers * w.SeqLen * w.KvDim];
    }

    public ReferenceLlamaWeights Weights => w;

    /// <summary>
    /// Runs <paramref name="token"/> at <paramref name="pos"/> and returns the logits. Positions must be fed in
    /// order from 0 (the KV cache holds every earlier position). The returned array is reused by the next call.
    /// </summary>
    public float[] Forward(int token, int pos)
    {
        if ((uint)token >= (uint)w.VocabSize) throw new ArgumentOutOfRangeException(nameof(token), token, $"vocab size is {w.VocabSize}");
        if ((uint)pos >= (uint)w.SeqLen) throw new ArgumentOutOfRangeException(nameof(pos), pos, $"context length is {w.SeqLen}");

        int dim = w.Dim, kvDim = w.KvDim, hiddenDim = w.HiddenDim, headSize = w.HeadSize;
        int kvMul = w.Heads / w.KvHeads; // query heads sharing one key/value head (grouped-query attention)

        Array.Copy(w.TokenEmbedding, (long)token * dim, x, 0, dim);

        for (int l = 0; l < w.Layers; l++)
        {
            RmsNorm(xb, x, w.RmsAtt, l * dim, dim, w.RmsEpsilon);

            MatMul(q, xb, w.Wq, (long)l * dim * dim, dim, dim);
            MatMul(k, xb, w.Wk, (long)l * dim * kvDim, dim, kvDim);
            MatMul(v, xb, w.Wv, (long)l * dim * kvDim, dim, kvDim);

            // RoPE: rotate adjacent pairs (2i, 2i+1) of every head of q and k by pos * theta^(-2i/head_size).
            for (int i = 0; i < dim; i += 2)
            {
                int headDim = i % headSize;
                float freq = 1.0f / MathF.Pow(w.RopeFreqBase, headDim / (float)headSize);
                float val = pos * freq;
                float fcr = MathF.Cos(val);
                float fci = MathF.Sin(val);
                int rotn = i < kvDim ? 2 : 1; // 2 = q and k, 1 = q only
                for (int r = 0; r < rotn; r++)
                {
                    float[] vec = r == 0 ? q : k;
                    float v0 = vec[i];
                    float v1 = vec[i + 1];
                    vec[i] = v0 * fcr - v1 * fci;
                    vec[i + 1] = v0 * fci + v1 * fcr;
                }
            }

            long loff = (long)l * w.SeqLen * kvDim;
            Array.Copy(k, 0, keyCache, loff + (long)pos * kvDim, kvDim);
            Array.Copy(v, 0, valueCache, loff + (long)pos * kvDim, kvDim);

            for (int h = 0; h < w.Heads; h++)
            {
                int qOff = h * headSize;
                int attOff = h * w.SeqLen;
                int kvHeadOff = h / kvMul * headSize;
                for (int t = 0; t <= pos; t++)
                {
                    long kOff = loff + (long)t * kvDim + kvHeadOff;
                    float score = 0.0f;
                    for (int i = 0; i < headSize; i++)
                        score += q[qOff + i] * keyCache[kOff + i];
                    score /= MathF.Sqrt(headSize);
                    att[attOff + t] = score;
                }

                Softmax(att, attOff, pos + 1);

                Array.Clear(xb, qOff, headSize);
                for (int t = 0; t <= pos; t++)
                {
                    long vOff = loff + (long)t * kvDim + kvHeadOff;
                    float a = att[attOff + t];
                    for (int i = 0; i < headSize; i++)
                        xb[qOff + i] += a * valueCache[vOff + i];
                }
            }

            MatMul(xb2, xb, w.Wo, (long)l * dim * dim, dim, dim);
            for (int i = 0; i < dim; i++)
                x[i] += xb2[i];

            RmsNorm(xb, x, w.RmsFfn, l * dim, dim, w.RmsEpsilon);

            // SwiGLU feed-forward: w2(silu(w1(x)) * w3(x)).
            MatMul(hb, xb, w.W1, (long)l * dim * hiddenDim, dim, hiddenDim);
            MatMul(hb2, xb, w.W3, (long)l * dim * hiddenDim, dim, hiddenDim);
            for (int i = 0; i < hiddenDim; i++)
                hb[i] = hb[i] * (1.0f / (1.0f + MathF.Exp(-hb[i])));
            for (int i = 0; i < hiddenDim; i++)
                hb[i] = hb[i] * hb2[i];
            MatMul(xb, hb, w.W2, (long)l * dim * hiddenDim, hiddenDim, dim);

            for (int i = 0; i < dim; i++)
                x[i] += xb[i];
        }

        RmsNorm(x, x, w.RmsFinal, 0, dim, w.RmsEpsilon);
        MatMul(logits, x, w.Classifier, 0, dim, w.VocabSize);
        return logits;
    }

    /// <summary>The first index of the largest value, as run.c's <c>argmax</c> (ties go to the lower id).</summary>
    public static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
            if (values[i] > values[best])
                best = i;
        return best;
    }

    private static void RmsNorm(float[] o, float[] x, float[] weight, int weightOffset, int size, float epsilon)
    {
        float ss = 0.0f;
        for (int j = 0; j < size; j++)
            ss += x[j] * x[j];
        ss /= size;
        ss += epsilon;
        ss = 1.0f / MathF.Sqrt(ss);
        for (int j = 0; j < size; j++)
            o[j] = weight[weightOffset + j] * (ss * x[j]);
    }

    private static void Softmax(float[] x, int offset, int size)
    {
        float max = x[offset];
        for (int i = 1; i < size; i++)
            if (x[offset + i] > max)
                max = x[offset + i];
        float sum = 0.0f;
        for (int i = 0; i < size; i++)
        {
            x[offset + i] = MathF.Exp(x[offset + i] - max);
            sum += x[offset + i];
        }
        for (int i = 0; i < size; i++)
            x[offset + i] /= sum;
    }

    /// <summary>W (d, n) @ x (n) -> xout (d), W row-major starting at <paramref name="wOffset"/>.</summary>
    private static void MatMul(float[] xout, float[] x, float[] w, long wOffset, int n, int d)
    {
        for (int i = 0; i < d; i++)
        {
            float val = 0.0f;
            long row = wOffset + (long)i * n;
            for (int j = 0; j < n; j++)
                val += w[row + j] * x[j];
            xout[i] = val;
        }
    }
}
