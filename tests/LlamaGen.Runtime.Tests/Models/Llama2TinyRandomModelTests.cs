using LlamaGen.Gguf;
using LlamaGen.TestModels;
using LlamaGen.TestSupport.Reference;
using LlamaGen.Kernels;
using LlamaGen.Models;
using LlamaGen.Sequences;

namespace LlamaGen.Runtime.Tests.Models;

/// <summary>
/// The generated <see cref="Llama2TinyRandom"/> model (F16 weights, 32000-token vocabulary) against the scalar
/// reference loaded from the same GGUF, for every kernel ISA this CPU supports.
/// </summary>
public sealed class Llama2TinyRandomModelTests
{
    // Both sides read the same F16 weights widened exactly to F32 and compute in F32; only summation order and
    // exp/sin/cos implementations differ, on logits of magnitude ~0.1. 1e-4 is far above that and far below
    // what a wrong weight, RoPE pair or head would cause.
    private const float LogitTolerance = 1e-4f;
    private const int Steps = 64;

    public static TheoryData<KernelIsa> SupportedIsas => new(KernelSupport.Supported);

    [Theory]
    [MemberData(nameof(SupportedIsas))]
    public void ForwardMatchesTheReferenceAlongItsGreedyPath(KernelIsa isa)
    {
        using var file = GgufFile.Open(ReferenceFixtures.TinyRandomGguf);
        var reference = new ReferenceLlama(ReferenceGgufLoader.Load(file));

        // A prompt touching both ends of the embedding table, then the reference's own greedy continuation.
        int[] prompt = [1, 0, 2, 13, 29871, 31999, 15043, 3186];
        var tokens = new List<int>(prompt);
        var expected = new List<float[]>();
        for (int pos = 0; pos < prompt.Length + Steps; pos++)
        {
            float[] logits = reference.Forward(tokens[pos], pos).ToArray();
            expected.Add(logits);
            if (pos + 1 >= tokens.Count) tokens.Add(ReferenceLlama.ArgMax(logits));
        }

        float worst = 0;
        int worstPosition = -1;
        {
            using ILlamaModel model = Llama2TinyRandom.Load(file, new ModelLoadOptions { Isa = isa });
            using var modelDecoder = new SequenceDecoder(model);
            var logits = new float[model.Shape.VocabSize];
            for (int pos = 0; pos < expected.Count; pos++)
            {
                modelDecoder.Forward(tokens[pos], pos, logits);
                float diff = LogitComparison.MaxAbsDifference(expected[pos], logits);
                if (float.IsNaN(diff) || diff > worst) (worst, worstPosition) = (diff, pos);
            }

            // The prompt as one chunk must leave the same last logits and cache as single-token steps.
            modelDecoder.ForwardPrompt(tokens.ToArray().AsSpan(0, prompt.Length), 0, logits);
            float promptDiff = LogitComparison.MaxAbsDifference(expected[prompt.Length - 1], logits);
            Assert.True(promptDiff < LogitTolerance, $"{isa}: ForwardPrompt logits differ by {promptDiff:E3}.");
        }
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{isa}: max |logit difference| over {expected.Count} positions = {worst:E2} (position {worstPosition})");
        Assert.True(worst < LogitTolerance,
            $"{isa}: logits differ from the reference by {worst:E3} at position {worstPosition} (tolerance {LogitTolerance:E0}).");
    }
}
