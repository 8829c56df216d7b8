using LlamaGen.TestSupport.Reference;
using LlamaGen.Models;
using LlamaGen.Sequences;

namespace LlamaGen.Oracle.Tests.Models;

/// <summary>
/// Follows llama.cpp's greedy path with our model: after the prompt, compares the logits at each step and feeds our own
/// choice back. The paths may part only at a near-tie that the measured logit difference explains (asserted here).
/// </summary>
internal static class GreedyPathComparison
{
    /// <returns>The largest |logit difference| seen (NaN if any), the steps compared, and where the paths parted, if they did.</returns>
    public static (float Worst, int Compared, string? Divergence) Follow(
        ILlamaModel model, int[] promptIds, int[] expectedIds, float[][] expectedLogits, int steps)
    {
        var logits = new float[model.Shape.VocabSize];
        using var decoder = new SequenceDecoder(model);
        decoder.ForwardPrompt(promptIds, 0, logits);
        float worst = 0;
        int compared = 0;
        for (int step = 0; step < steps; step++)
        {
            float diff = LogitComparison.MaxAbsDifference(expectedLogits[step], logits);
            if (float.IsNaN(diff) || diff > worst) worst = diff;
            compared++;
            int id = LogitComparison.ArgMax(logits);
            if (id != expectedIds[step])
            {
                float margin = LogitComparison.TopTwoMargin(expectedLogits[step]);
                Assert.True(margin <= 2 * diff,
                    $"step {step}: we chose {id}, llama.cpp chose {expectedIds[step]} with a top-2 margin of {margin:E2}, " +
                    $"more than twice the logit difference {diff:E2}.");
                return (worst, compared, $"paths part at step {step} (near-tie: margin {margin:E2}, difference {diff:E2})");
            }
            decoder.Forward(id, promptIds.Length + step, logits);
        }
        return (worst, compared, null);
    }
}
