using LlamaGen.Gguf;
using LlamaGen.TestModels;
using LlamaGen.TestSupport.LlamaCpp;
using LlamaGen.TestSupport.Reference;
using LlamaGen.Models;
using LlamaGen.Sequences;

namespace LlamaGen.Oracle.Tests.Models;

/// <summary>
/// The converted stories260K GGUF in llama.cpp against LlamaGen's generated <see cref="Stories260K"/> model.
/// (The converter's own acceptance tests are in <see cref="ConvertedStories260KAcceptanceTests"/>.)
/// Prompts are tokenized by llama.cpp so a tokenizer difference cannot hide in here.
/// </summary>
public sealed class Stories260KOracleTests(ConvertedStories260K converted) : IClassFixture<ConvertedStories260K>, IDisposable
{
    // Both run F32 weights with F32 activations and an F32 KV cache (see LlamaCppOracle.Open); they differ in
    // summation order, in llama.cpp's vectorized exp/silu and in its RoPE angles (theta built by repeated
    // multiplication). Measured (LLamaSharp 0.30.0, AVX-512 build): 1.0e-5 .. 1.2e-5 along the greedy paths,
    // 2.5e-5 over 301 positions, on logits of magnitude ~10. 2e-4 is 8x that; any structural error (a wrong
    // weight, head, RoPE pair or norm) moves logits by 1e-1 or more.
    private const float LogitTolerance = 2e-4f;
    private const int GreedySteps = 80;

    public static TheoryData<string> Prompts => new(
        "",
        "Once upon a time",
        "The cat",
        "Lily and Tom were",
        "\"Look!\" said Ben. The dog, the cat and the bird ran to the park; they were happy.");

    private readonly LlamaCppOracle oracle = LlamaCppOracle.Open(converted.GgufPath);

    [Theory]
    [MemberData(nameof(Prompts))]
    public void GreedyContinuationMatchesLlamaCpp(string prompt)
    {
        int[] promptIds = oracle.Tokenize(prompt, addSpecial: true, parseSpecial: false);
        var (expectedIds, expectedLogits) = oracle.Greedy(promptIds, GreedySteps);

        using var file = GgufFile.Open(converted.GgufPath);
        using ILlamaModel model = Stories260K.Load(file);
        using var modelDecoder = new SequenceDecoder(model);
        var logits = new float[model.Shape.VocabSize];
        modelDecoder.ForwardPrompt(promptIds, 0, logits);

        float worst = 0;
        var actualIds = new int[GreedySteps];
        for (int step = 0; step < GreedySteps; step++)
        {
            worst = MathF.Max(worst, LogitComparison.MaxAbsDifference(expectedLogits[step], logits));
            actualIds[step] = LogitComparison.ArgMax(logits);
            if (actualIds[step] != expectedIds[step]) break;
            modelDecoder.Forward(actualIds[step], promptIds.Length + step, logits);
        }
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"prompt \"{prompt}\" ({promptIds.Length} tokens), {GreedySteps} greedy steps: max |logit difference| {worst:E2}");
        Assert.Equal(expectedIds, actualIds);
        Assert.True(worst < LogitTolerance, $"logits differ from llama.cpp by {worst:E3} (tolerance {LogitTolerance:E0}).");
    }

    [Fact]
    public void LogitsAtEveryPositionMatchLlamaCpp()
    {
        // llama.cpp's own greedy run from BOS over most of the context, then every position's logits from one
        // batched decode, against our single-token Forward at each position.
        var (continuation, _) = oracle.Greedy([1], 300);
        int[] sequence = [1, .. continuation];
        float[][] expected = oracle.EvaluateLogits(sequence);

        using var file = GgufFile.Open(converted.GgufPath);
        using ILlamaModel model = Stories260K.Load(file);
        using var modelDecoder = new SequenceDecoder(model);
        var logits = new float[model.Shape.VocabSize];
        float worst = 0;
        int worstPosition = -1;
        for (int pos = 0; pos < sequence.Length; pos++)
        {
            modelDecoder.Forward(sequence[pos], pos, logits);
            float diff = LogitComparison.MaxAbsDifference(expected[pos], logits);
            if (float.IsNaN(diff) || diff > worst) (worst, worstPosition) = (diff, pos);
        }
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{sequence.Length} positions: max |logit difference| {worst:E2} at position {worstPosition}");
        Assert.True(worst < LogitTolerance, $"logits differ from llama.cpp by {worst:E3} at position {worstPosition} (tolerance {LogitTolerance:E0}).");
    }

    public void Dispose() => oracle.Dispose();
}
