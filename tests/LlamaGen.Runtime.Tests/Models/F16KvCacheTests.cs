using LlamaGen.Gguf;
using LlamaGen.TestModels;
using LlamaGen.TestSupport.Reference;
using LlamaGen.Compute;
using LlamaGen.Models;
using LlamaGen.Sequences;

namespace LlamaGen.Runtime.Tests.Models;

/// <summary>
/// An F16 KV cache (<see cref="KvCacheType.F16"/>) against the F32 cache of the same model. The only difference is
/// each cached key and value rounded to 11 significant bits (relative error at most 2^-12), so the logits move a little
/// and greedy decoding should not.
/// </summary>
public sealed class F16KvCacheTests(PromptModels models) : IClassFixture<PromptModels>
{
    // Relative to the largest |logit|. Keys and values rounded by up to 2^-12 move stories260K's F32 logits (~10) by
    // ~1e-2 (the test prints it): 5e-3 relative is five times that. With Q8_0/Q4_0 weights every product's input is
    // quantized, and a rounded value can push an activation across a Q8_0 rounding step in a later layer, which moves
    // the logits by up to ~2% (measured 0.2 on ~10): 5e-2 there. A wrong row, head or position moves them by ~100%.
    private const float FloatWeightsTolerance = 5e-3f;
    private const float QuantizedWeightsTolerance = 5e-2f;

    [Theory]
    [InlineData("stories260K-F32")]
    [InlineData("stories260K-Q8_0")]
    [InlineData("test-small-Q4_0")]
    public void F16CacheLogitsStayCloseToF32CacheLogits(string name)
    {
        using var file = GgufFile.Open(models.Path(name));
        using ILlamaModel model = PromptModels.Load(name, file, ModelLoadOptions.Default);
        using var f32 = new SequenceDecoder(model);
        using var f16 = new SequenceDecoder(model, new SequenceOptions { KvCacheType = KvCacheType.F16 });
        KvCache f32Cache = f32.Sequence.Cache, f16Cache = f16.Sequence.Cache;
        {
            Assert.Equal(KvCacheType.F32, f32Cache.Type);
            Assert.Equal(KvCacheType.F16, f16Cache.Type);
            Assert.Equal(f32Cache.SizeInBytes, 2 * f16Cache.SizeInBytes);

            int[] tokens = PromptModels.Prompt(100, model.Shape.VocabSize);
            var expected = new float[model.Shape.VocabSize];
            var actual = new float[model.Shape.VocabSize];
            float worst = 0, largest = 1;
            // A batched prompt, then single-token steps: both read the F16 rows.
            f32.ForwardPrompt(tokens.AsSpan(0, 70), 0, expected);
            f16.ForwardPrompt(tokens.AsSpan(0, 70), 0, actual);
            worst = MathF.Max(worst, LogitComparison.MaxAbsDifference(expected, actual));
            largest = MathF.Max(largest, MathF.Abs(System.Numerics.Tensors.TensorPrimitives.MaxMagnitude(expected)));
            for (int position = 70; position < tokens.Length; position++)
            {
                f32.Forward(tokens[position], position, expected);
                f16.Forward(tokens[position], position, actual);
                worst = MathF.Max(worst, LogitComparison.MaxAbsDifference(expected, actual));
                largest = MathF.Max(largest, MathF.Abs(System.Numerics.Tensors.TensorPrimitives.MaxMagnitude(expected)));
            }
            float tolerance = (name.EndsWith("F32", StringComparison.Ordinal) ? FloatWeightsTolerance : QuantizedWeightsTolerance) * largest;
            TestContext.Current.TestOutputHelper?.WriteLine($"{name}: F16 cache vs F32 cache, max |logit difference| {worst:E2} (largest |logit| {largest:F2})");
            Assert.True(worst > 0, "the F16 cache should round something; identical logits mean it stored F32");
            Assert.True(worst < tolerance, $"{name}: F16-cache logits differ from F32-cache logits by {worst:E3} (tolerance {tolerance:E2}).");

            // Layer 0's keys and values depend only on the token embeddings, so both models computed the same F32 rows:
            // the F16 cache must hold exactly those rounded to nearest even. (Later layers see the rounded attention.)
            var f32Row = new float[f32Cache.KvDimension];
            var f16Row = new float[f16Cache.KvDimension];
            for (int position = 0; position < tokens.Length; position += 7)
            {
                f32Cache.ReadKey(0, position, f32Row);
                f16Cache.ReadKey(0, position, f16Row);
                for (int i = 0; i < f32Row.Length; i++)
                    Assert.True((float)(Half)f32Row[i] == f16Row[i], $"layer 0 key {position}[{i}]: F32 {f32Row[i]}, F16 cache {f16Row[i]}");
                f32Cache.ReadValue(0, position, f32Row);
                f16Cache.ReadValue(0, position, f16Row);
                for (int i = 0; i < f32Row.Length; i++)
                    Assert.True((float)(Half)f32Row[i] == f16Row[i], $"layer 0 value {position}[{i}]: F32 {f32Row[i]}, F16 cache {f16Row[i]}");
            }
            Assert.Throws<InvalidOperationException>(() => { unsafe { _ = f16Cache.Keys(0, 0); } });
        }
    }

    [Fact]
    public void GreedyDecodeWithAnF16CacheReproducesLlama2COutput()
    {
        var golden = GoldenOutput.Load(ReferenceFixtures.Stories260KGolden);
        var tokenizer = Llama2CTokenizer.Load(ReferenceFixtures.Stories260KTokenizer, Stories260K.VocabSize);
        using var file = GgufFile.Open(models.Path("stories260K-F32"));
        using var model = Stories260K.Load(file, new ModelLoadOptions { KvCacheType = KvCacheType.F16 });
        using var modelDecoder = new SequenceDecoder(model);
        var logits = new float[Stories260K.VocabSize];
        List<int> ids = golden.GreedyIds((token, position) =>
        {
            modelDecoder.Forward(token, position, logits);
            return logits;
        });
        Assert.Equal(golden.ReferenceText, tokenizer.DecodeSequence(1, ids));
    }

    [Fact]
    public void DescriptorLoadsWithOptions()
    {
        using var file = GgufFile.Open(models.Path("stories260K-F32"));
        ModelDescriptor descriptor = ModelCatalog.Match(file, TestModelCatalog.All);
        using var model = (Stories260K)descriptor.Load(file, new ModelLoadOptions { KvCacheType = KvCacheType.F16 });
        using var modelDecoder = new SequenceDecoder(model);
        Assert.Equal(KvCacheType.F16, modelDecoder.Sequence.Cache.Type);
    }
}
