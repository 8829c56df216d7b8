using LlamaGen.Gguf;
using LlamaGen.TestModels;
using LlamaGen.TestSupport.Reference;
using LlamaGen.Tokenization;
using LlamaGen.Compute;
using LlamaGen.Kernels;
using LlamaGen.Models;

namespace LlamaGen.Runtime.Tests.Models;

/// <summary>
/// <c>ForwardPrompt</c> pushes a prompt through the layers in chunks of <c>PromptChunk</c> tokens with batched products;
/// the per-token <c>Forward</c> path is its oracle (itself checked against the llama2.c reference elsewhere). Both
/// quantize each token's activation alone with the same quantizer, and normalize, rotate and attend with the same
/// functions; they differ only in the products (<c>MatMul_*</c> against <c>MatVec_*</c> kernels).
/// </summary>
/// <remarks>
/// Where the batched kernels are loops over the single-token kernels (the Vector128 and scalar paths), the results are
/// bit for bit equal, and <see cref="PromptEqualsTheTokenByTokenPathBitForBit"/> asserts that: it checks this
/// orchestration exactly (chunking, strides, positions, causal cache use). The tiled AVX2/AVX-512 batched kernels sum
/// some rows in another order than the single-token kernels, a few float ulps: F32 and F16 models then stay within a
/// relative 1e-5 of the largest logit, but in Q8_0/Q4_0 models an ulp can move an activation across a Q8_0 rounding
/// boundary in a later layer, one quantization step, which moves the logits of the 260K-parameter model by up to ~1.5%
/// (measured: 0.15 on logits of ~10). Their tolerance is 5% of the largest logit: a wrong row, position or stride
/// moves logits by their own magnitude.
/// </remarks>
public sealed class BatchedPromptTests(PromptModels models) : IClassFixture<PromptModels>
{
    private const float RelativeTolerance = 1e-5f;
    private const float QuantizedRelativeTolerance = 5e-2f;

    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        int chunk = Stories260K.PromptChunk;
        foreach (string name in PromptModels.Names)
            foreach (int length in new[] { 1, chunk - 1, chunk, chunk + 1, chunk * 5 / 2 })
                data.Add(name, length);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void PromptLogitsAndCacheMatchTheTokenByTokenPath(string name, int length)
    {
        bool quantized = name.EndsWith("Q8_0", StringComparison.Ordinal) || name.EndsWith("Q4_0", StringComparison.Ordinal);
        Compare(name, length, quantized ? QuantizedRelativeTolerance : RelativeTolerance, exact: false);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void PromptEqualsTheTokenByTokenPathBitForBit(string name, int length) =>
        Compare(name, length, 0, exact: true, KernelIsa.Vector128);

    private void Compare(string name, int length, float tolerance, bool exact, KernelIsa? isa = null)
    {
        var options = new ModelLoadOptions { Isa = isa };
        Assert.Equal(Stories260K.PromptChunk, Llama2TestSmall.PromptChunk);
        using var file = GgufFile.Open(models.Path(name));
        var (perToken, perTokenCache) = PromptModels.Load(name, file, options);
        var (batched, batchedCache) = PromptModels.Load(name, file, options);
        using (perToken)
        using (batched)
        {
            int[] tokens = PromptModels.Prompt(length, perToken.Shape.VocabSize);
            var expected = new float[perToken.Shape.VocabSize];
            for (int position = 0; position < length; position++) perToken.Forward(tokens[position], position, expected);
            var actual = new float[batched.Shape.VocabSize];
            batched.ForwardPrompt(tokens, 0, actual);

            string what = $"{name}, {length} tokens, {batched.Isa}";
            AssertClose(expected, actual, $"{what}: last logits", tolerance);
            if (exact) Assert.True(expected.AsSpan().SequenceEqual(actual), $"{what}: logits are not bit-identical");
            AssertCachesEqual(perTokenCache, batchedCache, length, what, exact);
        }
    }

    [Fact]
    public void PromptContinuingAtALaterPositionSeesTheEarlierCache()
    {
        const string Name = "test-small-Q4_0";
        using var file = GgufFile.Open(models.Path(Name));
        var (perToken, _) = PromptModels.Load(Name, file, ModelLoadOptions.Default);
        var (batched, _) = PromptModels.Load(Name, file, ModelLoadOptions.Default);
        using (perToken)
        using (batched)
        {
            int[] tokens = PromptModels.Prompt(150, perToken.Shape.VocabSize);
            var expected = new float[perToken.Shape.VocabSize];
            var actual = new float[batched.Shape.VocabSize];
            int[] cuts = [0, 3, 70, 71, 150];
            for (int c = 0; c + 1 < cuts.Length; c++)
            {
                for (int position = cuts[c]; position < cuts[c + 1]; position++) perToken.Forward(tokens[position], position, expected);
                batched.ForwardPrompt(tokens.AsSpan(cuts[c], cuts[c + 1] - cuts[c]), cuts[c], actual);
                AssertClose(expected, actual, $"chunk [{cuts[c]}, {cuts[c + 1]})", QuantizedRelativeTolerance);
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(65)]
    [InlineData(150)]
    public void GreedyDecodeAfterABatchedPromptReproducesLlama2COutput(int promptLength)
    {
        var golden = GoldenOutput.Load(ReferenceFixtures.Stories260KGolden);
        var tokenizer = Llama2CTokenizer.Load(ReferenceFixtures.Stories260KTokenizer, Stories260K.VocabSize);
        // The golden run from BOS: BOS, then the argmax after each position. Oracle: the scalar run.c port.
        var reference = new ReferenceLlama(ReferenceLlamaWeights.LoadLlama2C(ReferenceFixtures.Stories260KModel));
        List<int> goldenIds = golden.GreedyIds((token, position) => reference.Forward(token, position));
        Assert.Equal(golden.ReferenceText, tokenizer.DecodeSequence(1, goldenIds));
        Assert.True(promptLength <= goldenIds.Count, "the prompt must be a prefix of the golden run");

        using var file = GgufFile.Open(models.Path("stories260K-F32"));
        using var model = Stories260K.Load(file);
        var logits = new float[Stories260K.VocabSize];
        // Replay the golden run's first promptLength inputs (BOS + ids) as one prompt, then decode greedily as run.c.
        int[] prompt = [1, .. goldenIds.Take(promptLength - 1)];
        model.ForwardPrompt(prompt, 0, logits);
        var ids = new List<int>(goldenIds.Take(promptLength - 1));
        for (int position = promptLength; ; position++)
        {
            int next = LogitComparison.ArgMax(logits);
            if (next == 1) break;
            ids.Add(next);
            if (position >= golden.Steps) break;
            model.Forward(next, position, logits);
        }
        Assert.Equal(golden.ReferenceText, tokenizer.DecodeSequence(1, ids));
        Assert.Equal(golden.ReferenceText, SentencePieceTokenizer.FromGguf(file).Decode(ids.ToArray()));
    }

    private static void AssertClose(float[] expected, float[] actual, string what, float relativeTolerance)
    {
        float diff = LogitComparison.MaxAbsDifference(expected, actual);
        float scale = MathF.Max(1f, MathF.Max(MathF.Abs(System.Numerics.Tensors.TensorPrimitives.Max(expected)),
            MathF.Abs(System.Numerics.Tensors.TensorPrimitives.Min(expected))));
        bool identical = expected.AsSpan().SequenceEqual(actual);
        TestContext.Current.TestOutputHelper?.WriteLine($"{what}: max |difference| {diff:E2}, bit-identical: {identical}");
        Assert.True(diff <= relativeTolerance * scale, $"{what}: differ by {diff:E3} (tolerance {relativeTolerance * scale:E2}).");
    }

    private static void AssertCachesEqual(KvCache expected, KvCache actual, int positions, string what, bool exact)
    {
        var e = new float[expected.KvDimension];
        var a = new float[actual.KvDimension];
        float worst = 0;
        bool identical = true;
        for (int layer = 0; layer < expected.BlockCount; layer++)
        {
            for (int position = 0; position < positions; position++)
            {
                expected.ReadKey(layer, position, e);
                actual.ReadKey(layer, position, a);
                worst = MathF.Max(worst, LogitComparison.MaxAbsDifference(e, a));
                identical &= e.AsSpan().SequenceEqual(a);
                expected.ReadValue(layer, position, e);
                actual.ReadValue(layer, position, a);
                worst = MathF.Max(worst, LogitComparison.MaxAbsDifference(e, a));
                identical &= e.AsSpan().SequenceEqual(a);
            }
        }
        TestContext.Current.TestOutputHelper?.WriteLine($"{what}: KV cache max |difference| {worst:E2}, bit-identical: {identical}");
        if (exact) Assert.True(identical, $"{what}: KV caches are not bit-identical (max |difference| {worst:E3}).");
        // Keys and values reach ~16 in stories260K: a relative 1e-5 of that. Layer 0 has no quantization flips to amplify
        // an ulp, so its rows bound the kernels' own difference even for quantized models.
        float limit = RelativeTolerance * 16;
        for (int position = 0; position < positions; position++)
        {
            expected.ReadKey(0, position, e);
            actual.ReadKey(0, position, a);
            float diff = LogitComparison.MaxAbsDifference(e, a);
            Assert.True(diff <= limit, $"{what}: layer 0 key at position {position} differs by {diff:E3}.");
        }
    }
}
