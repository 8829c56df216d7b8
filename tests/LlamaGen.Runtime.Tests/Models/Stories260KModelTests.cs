using LlamaGen.Gguf;
using LlamaGen.TestModels;
using LlamaGen.TestSupport.Reference;
using LlamaGen.Tokenization;
using LlamaGen.Kernels;
using LlamaGen.Models;
using LlamaGen.Sequences;

namespace LlamaGen.Runtime.Tests.Models;

/// <summary>
/// The generated <see cref="Stories260K"/> model, run on the converted GGUF, against the scalar reference
/// (<see cref="ReferenceLlama"/>, itself checked against llama2.c) for every kernel ISA this CPU supports.
/// </summary>
public sealed class Stories260KModelTests(Stories260KFixture fixture) : IClassFixture<Stories260KFixture>
{
    // Both sides compute in float32; they differ only in summation order (SIMD lanes, FMA) and in the exp/sin/cos
    // implementations, which moves logits of magnitude ~10 by a few 1e-6. 1e-4 leaves room for that and
    // nothing else: a wrong weight, RoPE pair or attention head moves them by 1e-2 or more.
    private const float LogitTolerance = 1e-4f;

    public static TheoryData<KernelIsa> SupportedIsas => new(KernelSupport.Supported);

    [Theory]
    [MemberData(nameof(SupportedIsas))]
    public void ForwardMatchesTheReferenceAtEveryPosition(KernelIsa isa)
    {
        float worst = 0;
        int worstPosition = -1;
        {
            using var file = GgufFile.Open(fixture.GgufPath);
            using ILlamaModel model = Stories260K.Load(file, new ModelLoadOptions { Isa = isa });
            using var modelDecoder = new SequenceDecoder(model);
            var logits = new float[model.Shape.VocabSize];
            for (int pos = 0; pos < fixture.Sequence.Length; pos++)
            {
                modelDecoder.Forward(fixture.Sequence[pos], pos, logits);
                float diff = LogitComparison.MaxAbsDifference(fixture.ReferenceLogits[pos], logits);
                if (diff > worst) (worst, worstPosition) = (diff, pos);
            }
        }
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{isa}: max |logit difference| over {fixture.Sequence.Length} positions = {worst:E2} (position {worstPosition})");
        Assert.True(worst < LogitTolerance,
            $"{isa}: logits differ from the reference by {worst:E3} at position {worstPosition} (tolerance {LogitTolerance:E0}).");
    }

    [Theory]
    [MemberData(nameof(SupportedIsas))]
    public void ForwardPromptLastLogitsMatchTheReference(KernelIsa isa)
    {
        {
            using var file = GgufFile.Open(fixture.GgufPath);
            using ILlamaModel model = Stories260K.Load(file, new ModelLoadOptions { Isa = isa });
            using var modelDecoder = new SequenceDecoder(model);
            var logits = new float[model.Shape.VocabSize];
            int[] tokens = fixture.Sequence;

            // Whole sequence as one prompt.
            modelDecoder.ForwardPrompt(tokens, 0, logits);
            AssertClose(fixture.ReferenceLogits[^1], logits, $"{isa}: ForwardPrompt of {tokens.Length} tokens");

            // Chunks of uneven length continuing from earlier positions must see the cache the earlier chunks wrote.
            int[] cuts = [0, 1, 17, 64, 65, 130, tokens.Length];
            for (int c = 0; c + 1 < cuts.Length; c++)
            {
                int start = cuts[c], end = Math.Min(cuts[c + 1], tokens.Length);
                if (start >= end) continue;
                modelDecoder.ForwardPrompt(tokens.AsSpan(start, end - start), start, logits);
                AssertClose(fixture.ReferenceLogits[end - 1], logits, $"{isa}: ForwardPrompt chunk [{start}, {end})");
            }

            // A single-token decode after a prompt continues from the prompt's cache.
            modelDecoder.ForwardPrompt(tokens.AsSpan(0, 10), 0, logits);
            modelDecoder.Forward(tokens[10], 10, logits);
            AssertClose(fixture.ReferenceLogits[10], logits, $"{isa}: Forward after ForwardPrompt");
        }
    }

    [Theory]
    [MemberData(nameof(SupportedIsas))]
    public void GreedyDecodeReproducesLlama2COutput(KernelIsa isa)
    {
        List<int> ids = [];
        string tokenizerText = "";
        {
            using var file = GgufFile.Open(fixture.GgufPath);
            var tokenizer = SentencePieceTokenizer.FromGguf(file);
            using ILlamaModel model = Stories260K.Load(file, new ModelLoadOptions { Isa = isa });
            using var modelDecoder = new SequenceDecoder(model);
            var logits = new float[model.Shape.VocabSize];
            ids = fixture.Golden.GreedyIds((token, pos) =>
            {
                modelDecoder.Forward(token, pos, logits);
                return logits;
            });
            tokenizerText = tokenizer.Decode(ids.ToArray());
        }
        // run.c's own decoding (tok512.bin) is the exact oracle for what it printed ...
        Assert.Equal(fixture.Golden.ReferenceText, fixture.Tokenizer.DecodeSequence(1, ids));
        // ... and the runtime's tokenizer, reading the converted GGUF, must render the same text.
        Assert.Equal(fixture.Golden.ReferenceText, tokenizerText);
    }

    private static void AssertClose(float[] expected, float[] actual, string what)
    {
        float diff = LogitComparison.MaxAbsDifference(expected, actual);
        Assert.True(diff < LogitTolerance, $"{what}: logits differ from the reference by {diff:E3} (tolerance {LogitTolerance:E0}).");
    }
}
