using LlamaGen.TestSupport.Reference;
using LlamaGen.Tokenization;

namespace LlamaGen.Oracle.Tests.Llama3;

/// <summary>What the Llama 3 oracle tests (small and real shapes) share: the long prompt and the logit distance.</summary>
internal static class Llama3LongPrompt
{
    /// <summary>BOS, then the TinyStories sample tokenized and repeated up to <paramref name="length"/> tokens.</summary>
    public static int[] Tokens(Tokenizer tokenizer, int length)
    {
        var text = new List<int> { tokenizer.BosId };
        int[] story = tokenizer.Encode(TinyStoryText.Text, addBos: false, parseSpecial: false);
        while (text.Count < length) text.AddRange(story);
        return [.. text.Take(length)];
    }

    /// <summary>The largest |difference| between two runs' logits, step by step.</summary>
    public static float MaxDifference(float[][] a, float[][] b)
    {
        float worst = 0;
        for (int i = 0; i < a.Length; i++) worst = MathF.Max(worst, LogitComparison.MaxAbsDifference(a[i], b[i]));
        return worst;
    }
}
