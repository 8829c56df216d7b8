namespace LlamaGen.TestSupport.Reference;

/// <summary>Logit comparison helpers shared by the model tests (runtime and llama.cpp oracle tests).</summary>
public static class LogitComparison
{
    /// <summary>Largest |expected - actual| over the vocabulary; NaN if either side has a NaN.</summary>
    public static float MaxAbsDifference(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        if (expected.Length != actual.Length)
            throw new ArgumentException($"logit vectors differ in length: {expected.Length} vs {actual.Length}");
        float worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            float diff = MathF.Abs(expected[i] - actual[i]);
            if (float.IsNaN(diff)) return float.NaN;
            if (diff > worst) worst = diff;
        }
        return worst;
    }

    /// <summary>The first index of the largest value (lowest id on ties), the rule every greedy path here uses.</summary>
    public static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
            if (values[i] > values[best])
                best = i;
        return best;
    }

    /// <summary>Gap between the best and second-best logit: how robust a greedy choice is to small logit errors.</summary>
    public static float TopTwoMargin(ReadOnlySpan<float> values)
    {
        float first = float.NegativeInfinity, second = float.NegativeInfinity;
        foreach (float v in values)
        {
            if (v > first) (first, second) = (v, first);
            else if (v > second) second = v;
        }
        return first - second;
    }
}
