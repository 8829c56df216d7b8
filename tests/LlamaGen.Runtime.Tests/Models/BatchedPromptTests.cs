using LlamaGen.Gguf;
using LlamaGen.TestModels;
using LlamaGen.TestSupport.Reference;
using LlamaGen.Tokenization;
using LlamaGen.Compute;
using LlamaGen.Kernels;
using LlamaGen.Models;
using LlamaGen.Sequences;

namespace LlamaGen.Runtime.Tests.Models;

/// <summary>
/// A prompt decoded in batches (rows of one sequence at consecutive positions, one batched product per weight) against the
/// same tokens decoded one per step (the matrix-vector kernels; itself checked against the llama2.c reference elsewhere):
/// both quantize each row's activation alone with the same quantizer and normalize, rotate, attend and apply SiLU row by
/// row with the same functions, and the batched kernels give each token the matrix-vector kernel's result bit for bit.
/// So the last logits and the whole KV cache are bit-identical, on every ISA this CPU runs.
/// </summary>
public sealed class BatchedPromptTests(PromptModels models) : IClassFixture<PromptModels>
{
    private const float RelativeTolerance = 1e-5f;
    private const float QuantizedRelativeTolerance = 5e-2f;

    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        int chunk = DecodeBatch.DefaultCapacity;
        foreach (string name in PromptModels.Names)
            foreach (int length in new[] { 1, chunk - 1, chunk, chunk + 1, chunk * 5 / 2 })
                data.Add(name, length);
        return data;
    }

    public static TheoryData<string, int, KernelIsa> CasesOnEveryIsa()
    {
        var data = new TheoryData<string, int, KernelIsa>();
        int chunk = DecodeBatch.DefaultCapacity;
        foreach (string name in PromptModels.Names)
            foreach (int length in new[] { 1, chunk - 1, chunk, chunk + 1, chunk * 5 / 2 })
                foreach (KernelIsa isa in KernelSupport.Supported)
                    data.Add(name, length, isa);
        return data;
    }

    [Theory]
    [MemberData(nameof(CasesOnEveryIsa))]
    public void PromptEqualsTheTokenByTokenPathBitForBit(string name, int length, KernelIsa isa)
    {
        using var file = GgufFile.Open(models.Path(name));
        using ILlamaModel model = PromptModels.Load(name, file, new ModelLoadOptions { Isa = isa });
        using var perToken = new SequenceDecoder(model);
        using var batched = new SequenceDecoder(model);
        int[] tokens = PromptModels.Prompt(length, model.Shape.VocabSize);
        var expected = new float[model.Shape.VocabSize];
        for (int position = 0; position < length; position++) perToken.Forward(tokens[position], position, expected);
        var actual = new float[model.Shape.VocabSize];
        batched.ForwardPrompt(tokens, 0, actual);

        string what = $"{name}, {length} tokens, {isa}";
        Assert.True(expected.AsSpan().SequenceEqual(actual), $"{what}: logits are not bit-identical");
        AssertCachesEqual(perToken.Sequence.Cache, batched.Sequence.Cache, length, what, exact: true);
    }

    [Fact]
    public void PromptContinuingAtALaterPositionSeesTheEarlierCache()
    {
        const string Name = "test-small-Q4_0";
        using var file = GgufFile.Open(models.Path(Name));
        using ILlamaModel model = PromptModels.Load(Name, file, ModelLoadOptions.Default);
        using var perToken = new SequenceDecoder(model);
        using var batched = new SequenceDecoder(model);
        {
            int[] tokens = PromptModels.Prompt(150, model.Shape.VocabSize);
            var expected = new float[model.Shape.VocabSize];
            var actual = new float[model.Shape.VocabSize];
            int[] cuts = [0, 3, 70, 71, 150];
            for (int c = 0; c + 1 < cuts.Length; c++)
            {
                for (int position = cuts[c]; position < cuts[c + 1]; position++) perToken.Forward(tokens[position], position, expected);
                batched.ForwardPrompt(tokens.AsSpan(cuts[c], cuts[c + 1] - cuts[c]), cuts[c], actual);
                Assert.True(expected.AsSpan().SequenceEqual(actual), $"chunk [{cuts[c]}, {cuts[c + 1]}): logits are not bit-identical");
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
        using var modelDecoder = new SequenceDecoder(model);
        var logits = new float[Stories260K.VocabSize];
        // Replay the golden run's first promptLength inputs (BOS + ids) as one prompt, then decode greedily as run.c.
        int[] prompt = [1, .. goldenIds.Take(promptLength - 1)];
        modelDecoder.ForwardPrompt(prompt, 0, logits);
        var ids = new List<int>(goldenIds.Take(promptLength - 1));
        for (int position = promptLength; ; position++)
        {
            int next = LogitComparison.ArgMax(logits);
            if (next == 1) break;
            ids.Add(next);
            if (position >= golden.Steps) break;
            modelDecoder.Forward(next, position, logits);
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
