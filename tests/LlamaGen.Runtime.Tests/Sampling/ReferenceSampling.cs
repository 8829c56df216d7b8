using LlamaGen.Sampling;

namespace LlamaGen.Runtime.Tests.Sampling;

/// <summary>
/// The distribution the sampler chain should draw from, computed the plain way (full sort, double softmax,
/// no heap, no shortcuts) straight from the definitions in llama.cpp's <c>src/llama-sampling.cpp</c>.
/// </summary>
internal static class ReferenceSampling
{
    public static double[] FilteredDistribution(float[] logits, int[] recent, SamplerOptions options)
    {
        int n = logits.Length;
        var l = (float[])logits.Clone();

        if (options.RepetitionPenalty != 1.0f)
        {
            var window = recent.Skip(Math.Max(0, recent.Length - options.RepetitionWindow)).Distinct();
            foreach (int id in window)
                l[id] = l[id] <= 0 ? l[id] * options.RepetitionPenalty : l[id] / options.RepetitionPenalty;
        }

        var result = new double[n];
        if (options.Temperature == 0)
        {
            int best = 0;
            for (int i = 1; i < n; i++) if (l[i] > l[best]) best = i;
            result[best] = 1;
            return result;
        }

        List<int> kept = Enumerable.Range(0, n).OrderByDescending(i => l[i]).ThenBy(i => i).ToList();

        if (options.TopK > 0)
            kept = kept.Take(options.TopK).ToList();

        if (options.TopP < 1)
        {
            double[] p = Softmax(kept.Select(i => (double)l[i]).ToArray());
            double cumulative = 0;
            int count = kept.Count;
            for (int j = 0; j < kept.Count; j++)
            {
                cumulative += p[j];
                if (cumulative >= options.TopP) { count = j + 1; break; }
            }
            kept = kept.Take(count).ToList();
        }

        if (options.MinP > 0)
        {
            double[] p = Softmax(kept.Select(i => (double)l[i]).ToArray());
            double pMax = p.Max();
            kept = kept.Where((_, j) => p[j] >= options.MinP * pMax).ToList();
        }

        double[] final = Softmax(kept.Select(i => (double)l[i] / options.Temperature).ToArray());
        for (int j = 0; j < kept.Count; j++)
            result[kept[j]] = final[j];
        return result;
    }

    private static double[] Softmax(double[] x)
    {
        double max = x.Max();
        double[] e = x.Select(v => Math.Exp(v - max)).ToArray();
        double sum = e.Sum();
        return e.Select(v => v / sum).ToArray();
    }

    public static float[] RandomLogits(int seed, int n, float scale = 3f)
    {
        var random = new Random(seed);
        var logits = new float[n];
        for (int i = 0; i < n; i++)
            logits[i] = (float)((random.NextDouble() * 2 - 1) * scale);
        return logits;
    }
}
