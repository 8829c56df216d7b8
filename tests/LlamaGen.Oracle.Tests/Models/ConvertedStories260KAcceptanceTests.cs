using LlamaGen.TestSupport.LlamaCpp;
using LlamaGen.TestSupport.Reference;

namespace LlamaGen.Oracle.Tests.Models;

/// <summary>
/// The converter's acceptance test: llama.cpp loads the converted stories260K GGUF and computes what the scalar
/// reference (a run.c port, checked against llama2.c's output) computes from the original checkpoint.
/// No generated code is involved, so a failure here points at the converter.
/// </summary>
public sealed class ConvertedStories260KAcceptanceTests(ConvertedStories260K converted) : IClassFixture<ConvertedStories260K>, IDisposable
{
    // Same F32 arithmetic on both sides, different summation order and exp/RoPE implementations (see
    // Stories260KOracleTests). Measured: 2.4e-5 over the 256 golden steps; 2e-4 is 8x that.
    private const float LogitTolerance = 2e-4f;

    private readonly LlamaCppOracle oracle = LlamaCppOracle.Open(converted.GgufPath);

    [Fact]
    public void LlamaCppLoadsTheConvertedFile()
    {
        Assert.Equal(512, oracle.VocabSize);
        Assert.Equal(64, oracle.Context.NativeHandle.EmbeddingSize);
        var vocab = oracle.Weights.NativeHandle.Vocab;
        Assert.Equal(1, (int?)vocab.BOS);
        Assert.Equal(2, (int?)vocab.EOS);
        int[] ids = oracle.Tokenize("Once upon a time", addSpecial: true, parseSpecial: false);
        Assert.Equal(1, ids[0]);
        Assert.InRange(ids.Length, 2, 8);
    }

    [Fact]
    public void LlamaCppGreedyFromBosMatchesTheReferenceAndItsLogits()
    {
        var reference = new ReferenceLlama(ReferenceLlamaWeights.LoadLlama2C(ReferenceFixtures.Stories260KModel));
        const int steps = 256; // the golden run: forward at positions 0..255, as run.c with -n 256

        var (llamaIds, llamaLogits) = oracle.Greedy([1], steps);

        int token = 1;
        float worst = 0;
        int worstStep = -1;
        for (int step = 0; step < steps; step++)
        {
            float[] logits = reference.Forward(token, step);
            float diff = LogitComparison.MaxAbsDifference(llamaLogits[step], logits);
            if (float.IsNaN(diff) || diff > worst) (worst, worstStep) = (diff, step);
            int next = ReferenceLlama.ArgMax(logits);
            Assert.True(next == llamaIds[step], $"step {step}: reference chose {next}, llama.cpp chose {llamaIds[step]}.");
            token = next;
        }
        TestContext.Current.TestOutputHelper?.WriteLine($"{steps} greedy steps from BOS: max |logit difference| {worst:E2} at step {worstStep}");
        Assert.True(worst < LogitTolerance, $"logits differ from the reference by {worst:E3} at step {worstStep} (tolerance {LogitTolerance:E0}).");
    }

    public void Dispose() => oracle.Dispose();
}
