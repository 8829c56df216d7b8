using LlamaGen.Conversion;
using LlamaGen.Gguf;
using LlamaGen.Models;
using LlamaGen.Oracle.Tests.Models;
using LlamaGen.TestModels;
using LlamaGen.TestSupport.LlamaCpp;
using LlamaGen.TestSupport.Models;
using LlamaGen.TestSupport.Reference;
using LlamaGen.Tokenization;

namespace LlamaGen.Oracle.Tests.Llama3;

/// <summary>
/// The Llama 3 details of the forward pass against llama.cpp on the same synthetic files (<see cref="Llama3SyntheticFiles"/>):
/// RoPE base 500000 with <c>rope_freqs.weight</c> factors, grouped-query attention (8 query heads on 2 KV heads, head
/// size 64), the classifier tied to a quantized token embedding, a 50268-token byte-level BPE vocabulary, at early
/// positions and beyond 2048.
/// </summary>
/// <remarks>
/// <para>Bounds. F32 files: both engines do the same float arithmetic up to summation order, so the logits must agree
/// within <see cref="F32Tolerance"/> (measured 8.9e-7 at positions 11..34 and 2.4e-6 at 2099..2104 with the AVX-512
/// kernels), and leaving <c>rope_freqs.weight</c> out must move llama.cpp's own logits by more than ten times that (the
/// test can see the factors). Quantized files: as in <see cref="SyntheticModelOracleTests"/>, our distance from llama.cpp
/// must be below llama.cpp's own distance from exact arithmetic (here llama.cpp on the F32 file of the same seed, which
/// holds the very values the quantized files round) on the same tokens, capped at a quarter of the exact logits' range.
/// Activation quantization (Q8_0 / Q8_K blocks) turns a float difference of 1e-6 into a rounding step now and then, which
/// is why a quantized file can differ by 1e-2 where the F32 one differs by 1e-6.</para>
/// <para>CI time: one 50268 x 512 model per type and factors setting (written once per class); the long prompt is 2100
/// tokens of the TinyStories sample, run in one batch by both engines.</para>
/// </remarks>
[Collection(Llama3Collection.Name)]
public sealed class Llama3SyntheticOracleTests(Llama3SyntheticFiles files)
{
    /// <summary>Largest |logit difference| from llama.cpp accepted on an F32 file (logits of about ±2).</summary>
    private const float F32Tolerance = 5e-5f;

    private const int GreedySteps = 12;
    private const int LongPrompt = 2100, LongSteps = 6;
    private const string EarlyText = "Once upon a time, there was a little robot who";

    public static TheoryData<string, bool> Cases => new()
    {
        { "f32", false }, { "q8_0", false }, { "q4_k_m", false },
        { "f32", true }, { "q4_k_m", true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void LogitsFollowLlamaCpp(string typeName, bool beyond2048)
    {
        Assert.True(SyntheticModelType.TryParse(typeName, out var type), typeName);
        string path = files.Get(type);
        using var file = GgufFile.Open(path);
        var tokenizer = Tokenizer.FromGguf(file);
        int[] prompt = beyond2048 ? Llama3LongPrompt.Tokens(tokenizer, LongPrompt) : tokenizer.Encode(EarlyText, addBos: tokenizer.AddBos, parseSpecial: false);
        int steps = beyond2048 ? LongSteps : GreedySteps;
        uint context = (uint)(prompt.Length + steps + 16);

        int[] expectedIds;
        float[][] expectedLogits;
        using (var oracle = LlamaCppOracle.Open(path, context))
        {
            Assert.Equal(Llama3TestVocabulary.VocabSize, oracle.VocabSize);
            if (!beyond2048)
                Assert.Equal(oracle.Tokenize(EarlyText, addSpecial: true, parseSpecial: false), prompt);
            (expectedIds, expectedLogits) = oracle.Greedy(prompt, steps);
        }
        int[] sequence = [.. prompt, .. expectedIds[..^1]];
        float[][] withoutFactors = LastLogits(files.Get(type, frequencyFactors: false), sequence, steps, context);
        float factorEffect = Llama3LongPrompt.MaxDifference(expectedLogits, withoutFactors);

        float bound;
        string scale;
        if (type.UniformType == Quantization.GgmlType.F32)
        {
            bound = F32Tolerance;
            scale = $"tolerance {F32Tolerance:E1}";
            Assert.True(factorEffect > 10 * F32Tolerance,
                $"leaving rope_freqs out changes llama.cpp's logits by only {factorEffect:E3}: the test could not see the factors.");
        }
        else
        {
            float[][] exact = LastLogits(files.Get(SyntheticModelType.Of(Quantization.GgmlType.F32)), sequence, steps, context);
            float quantizationError = Llama3LongPrompt.MaxDifference(expectedLogits, exact);
            float range = exact.Min(l => l.Max() - l.Min());
            bound = MathF.Min(quantizationError, 0.25f * range);
            scale = $"bound {bound:E2} (llama.cpp vs its F32 run {quantizationError:E2}, exact range {range:E2})";
        }

        var descriptor = ModelCatalog.Match(file, TestModelCatalog.All);
        Assert.Equal(typeof(Llama3Test).FullName, descriptor.TypeName);
        using var model = descriptor.Load(file);
        Assert.True(model.Rope.HasFrequencyFactors);
        Assert.Equal(Llama3TestVocabulary.BeginOfText, prompt[0]);
        var (worst, compared, divergence) = GreedyPathComparison.Follow(model, prompt, expectedIds, expectedLogits, steps);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{typeName}: positions {prompt.Length - 1}..{prompt.Length + steps - 2}, {compared} greedy steps, max |logit difference| " +
            $"{worst:E2}, {scale}; leaving rope_freqs out moves llama.cpp's logits by {factorEffect:E2}" +
            (divergence is null ? "" : "; " + divergence));
        Assert.True(worst < bound, $"{typeName}: logits differ from llama.cpp by {worst:E3}; {scale}.");
    }


    /// <summary>llama.cpp's logits at the last <paramref name="count"/> positions of <paramref name="tokens"/> on another file.</summary>
    private static float[][] LastLogits(string path, int[] tokens, int count, uint context)
    {
        using var oracle = LlamaCppOracle.Open(path, context);
        return oracle.EvaluateLastLogits(tokens, count);
    }


    [Fact]
    public void WithoutFrequencyFactorsBothEnginesAgreeOnThePlainRope()
    {
        string path = files.Get(SyntheticModelType.Of(Quantization.GgmlType.F32), frequencyFactors: false);
        using var file = GgufFile.Open(path);
        using var model = ModelCatalog.Match(file, TestModelCatalog.All).Load(file);
        Assert.False(model.Rope.HasFrequencyFactors);
        using var oracle = LlamaCppOracle.Open(path);
        int[] prompt = oracle.Tokenize("The quick brown fox jumps over the lazy dog.", addSpecial: true, parseSpecial: false);
        var (ids, logits) = oracle.Greedy(prompt, GreedySteps);
        var (worst, _, _) = GreedyPathComparison.Follow(model, prompt, ids, logits, GreedySteps);
        TestContext.Current.TestOutputHelper?.WriteLine($"f32 without rope_freqs: max |logit difference| {worst:E2}");
        Assert.True(worst < F32Tolerance, $"without rope_freqs, logits differ from llama.cpp by {worst:E3}.");
    }

    [Fact]
    public void FactorsAreThoseOfLlamaCppsConverter()
    {
        // The shape of the converter's rule (no values of our own): with head size 64 and base 500000 the fastest pair keeps
        // factor 1, the slowest turns by less than once in 8192 positions and gets the full factor 8, a smooth band between.
        float[] factors = Llama3SyntheticFiles.Factors;
        Assert.Equal(32, factors.Length);
        Assert.Equal(1f, factors[0]);
        Assert.Equal(8f, factors[^1]);
        for (int i = 1; i < factors.Length; i++) Assert.True(factors[i] >= factors[i - 1], $"factor {i} decreases");
        Assert.Contains(factors, f => f > 1 && f < 8);
    }

    [Theory]
    [InlineData(31, Quantization.GgmlType.F32, "has shape [31], expected [32]")]
    [InlineData(32, Quantization.GgmlType.F16, "has type f16; RoPE frequency factors must be f32")]
    public void ABadRopeFreqsTensorIsRefusedNamingTheFileAndTensor(int length, Quantization.GgmlType type, string problem)
    {
        string source = files.Get(SyntheticModelType.Of(Quantization.GgmlType.Q8_0));
        string path = Path.Combine(files.Directory, $"bad-rope-freqs-{length}-{type}.gguf");
        using (var original = GgufFile.Open(source))
        using (var stream = File.Create(path))
        {
            var writer = new GgufWriter(stream);
            foreach (var entry in original.Metadata) writer.AddMetadata(entry.Key, entry.Value);
            foreach (var tensor in original.Tensors)
            {
                if (tensor.Name == RopeFrequencyFactors.TensorName) writer.AddTensor(tensor.Name, [length], type);
                else writer.AddTensor(tensor.Name, tensor.Dimensions, tensor.Type);
            }
            foreach (var tensor in original.Tensors)
                writer.WriteTensorData(tensor.Name == RopeFrequencyFactors.TensorName
                    ? new byte[Quantization.GgmlTypeInfo.RowBytes(type, length)]
                    : original.GetTensorBytes(tensor));
            writer.Finish();
        }
        using var file = GgufFile.Open(path);
        var descriptor = ModelCatalog.Match(file, TestModelCatalog.All);
        var e = Assert.Throws<ModelMismatchException>(() => descriptor.Load(file));
        Assert.Equal(RopeFrequencyFactors.TensorName, e.TensorName);
        Assert.Contains($"{path}: tensor 'rope_freqs.weight' {problem}", e.Message);
    }
}
