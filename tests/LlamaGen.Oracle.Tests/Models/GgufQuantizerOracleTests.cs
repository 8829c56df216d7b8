using System.Runtime.CompilerServices;
using LLama;
using LLama.Native;
using LlamaGen.Conversion;
using LlamaGen.Gguf;
using LlamaGen.TestSupport.LlamaCpp;
using LlamaGen.Quantization;

namespace LlamaGen.Oracle.Tests.Models;

/// <summary>
/// <see cref="GgufQuantizer"/> against llama.cpp's own quantizer (<c>llama_model_quantize</c> through LLamaSharp, no
/// importance matrix, output tensor quantized as llama-quantize does by default): for the same input, every tensor
/// must get the same type and the very same bytes. Then llama.cpp loads our file and evaluates it.
/// </summary>
/// <remarks>
/// Two inputs: <see cref="SyntheticF16Model"/>, where every type applies without fallback; and stories260K (F32, rows
/// of 64 and 172), where the k-quants exercise llama.cpp's fallback table and the legacy types make llama.cpp give up.
/// </remarks>
public sealed class GgufQuantizerOracleTests : IClassFixture<ConvertedStories260K>, IClassFixture<SyntheticF16Model>, IDisposable
{
    private readonly ConvertedStories260K stories;
    private readonly SyntheticF16Model synthetic;
    private readonly string directory = Directory.CreateTempSubdirectory("llamagen-quantize-oracle-").FullName;

    public GgufQuantizerOracleTests(ConvertedStories260K stories, SyntheticF16Model synthetic)
    {
        this.stories = stories;
        this.synthetic = synthetic;
        RuntimeHelpers.RunClassConstructor(typeof(LlamaCppOracle).TypeHandle); // llama.cpp's log filter, before the library loads
        // LLamaSharp resolves libllama in NativeApi's static constructor; llama_model_quantize is bound elsewhere and
        // would not trigger it.
        NativeApi.llama_empty_call();
    }

    public void Dispose() => Directory.Delete(directory, recursive: true);

    public static TheoryData<string> SyntheticTypes() =>
        ["q4_0", "q4_1", "q5_0", "q5_1", "q8_0", "q2_k", "q3_k_s", "q3_k_m", "q3_k_l", "q4_k_s", "q4_k_m", "q5_k_s", "q5_k_m", "q6_k"];

    public static TheoryData<string> Stories260KKQuantTypes() => ["q2_k", "q3_k_m", "q4_k_s", "q4_k_m", "q5_k_s", "q5_k_m", "q6_k"];

    [Theory]
    [MemberData(nameof(SyntheticTypes))]
    public void SyntheticModelQuantizesToLlamaCppsBytesAndLoadsInLlamaCpp(string typeName)
    {
        var (ours, theirs) = QuantizeBoth(synthetic.Path, typeName);
        AssertSameTensors(theirs, ours, typeName);

        // llama.cpp evaluates our file; the logits must be finite and follow the F16 model's (random weights, so the
        // bound is loose: it catches a scrambled layout, which decorrelates them, not the quantization noise).
        using var reference = LlamaCppOracle.Open(synthetic.Path);
        using var quantized = LlamaCppOracle.Open(ours);
        int[] tokens = reference.Tokenize("Once upon a time there was a little fox", addSpecial: true, parseSpecial: false);
        float[][] expected = reference.EvaluateLogits(tokens), actual = quantized.EvaluateLogits(tokens);
        double worst = 1;
        for (int pos = 0; pos < tokens.Length; pos++)
        {
            Assert.All(actual[pos], v => Assert.True(float.IsFinite(v)));
            worst = Math.Min(worst, Cosine(expected[pos], actual[pos]));
        }
        TestContext.Current.TestOutputHelper?.WriteLine($"{typeName}: worst cosine similarity with the F16 model's logits {worst:F4}");
        Assert.True(worst > 0.8, $"{typeName}: llama.cpp's logits on our file have cosine similarity {worst:F4} with the F16 model's");
    }

    [Theory]
    [MemberData(nameof(Stories260KKQuantTypes))]
    public void Stories260KFallbacksMatchLlamaCpp(string typeName)
    {
        var (ours, theirs) = QuantizeBoth(stories.GgufPath, typeName);
        AssertSameTensors(theirs, ours, typeName);
        using var oracle = LlamaCppOracle.Open(ours);
        var logits = oracle.EvaluateLogits(oracle.Tokenize("Once upon a time", addSpecial: true, parseSpecial: false));
        Assert.All(logits, row => Assert.All(row, v => Assert.True(float.IsFinite(v))));
    }

    [Fact]
    public void LegacyTypesWhereLlamaCppGivesUpAreWrittenWithF16Rows()
    {
        // stories260K's ffn_down has rows of 172: no legacy block type fits, and llama.cpp has no fallback for them.
        string theirs = Path.Combine(directory, "stories-q4_0-llama.cpp.gguf");
        Assert.False(LLamaQuantizer.Quantize(stories.GgufPath, theirs, LLamaFtype.MOSTLY_Q4_0, 2, false, true));
        string ours = Path.Combine(directory, "stories-q4_0-ours.gguf");
        GgufQuantizer.Quantize(stories.GgufPath, ours, new GgufQuantizeOptions(LlamaFileType.MostlyQ4_0));
        using (var file = GgufFile.Open(ours))
            Assert.All(file.Tensors.Where(t => t.Name.EndsWith("ffn_down.weight")), t => Assert.Equal(GgmlType.F16, t.Type));
        using var oracle = LlamaCppOracle.Open(ours);
        var logits = oracle.EvaluateLogits(oracle.Tokenize("Once upon a time", addSpecial: true, parseSpecial: false));
        Assert.All(logits, row => Assert.All(row, v => Assert.True(float.IsFinite(v))));
    }

    private (string Ours, string Theirs) QuantizeBoth(string input, string typeName)
    {
        Assert.True(QuantizationRecipe.TryParse(typeName, out var fileType));
        string stem = Path.GetFileNameWithoutExtension(input);
        string theirs = Path.Combine(directory, $"{stem}-{typeName}-llama.cpp.gguf");
        string ours = Path.Combine(directory, $"{stem}-{typeName}-ours.gguf");
        Assert.True(LLamaQuantizer.Quantize(input, theirs, (LLamaFtype)(int)fileType, nthread: 2, allowRequantize: false, quantizeOutputTensor: true),
            $"llama.cpp failed to quantize {input} to {typeName}");
        GgufQuantizer.Quantize(input, ours, new GgufQuantizeOptions(fileType) { Threads = 2 });
        return (ours, theirs);
    }

    private static void AssertSameTensors(string expectedPath, string actualPath, string typeName)
    {
        using var expected = GgufFile.Open(expectedPath);
        using var actual = GgufFile.Open(actualPath);
        Assert.Equal(expected.GetUInt32("general.file_type"), actual.GetUInt32("general.file_type"));
        Assert.Equal(expected.Tensors.Select(t => t.Name).Order(), actual.Tensors.Select(t => t.Name).Order());
        foreach (var theirs in expected.Tensors)
        {
            Assert.True(actual.TryGetTensor(theirs.Name, out var ours));
            Assert.True(theirs.Type == ours.Type, $"{typeName} {theirs.Name}: llama.cpp chose {GgmlTypeInfo.Name(theirs.Type)}, we chose {GgmlTypeInfo.Name(ours.Type)}");
            ReadOnlySpan<byte> a = expected.GetTensorBytes(theirs), b = actual.GetTensorBytes(ours);
            int mismatch = a.CommonPrefixLength(b);
            Assert.True(mismatch == a.Length && a.Length == b.Length,
                $"{typeName} {theirs.Name} ({GgmlTypeInfo.Name(theirs.Type)}): bytes differ from llama.cpp's at offset {mismatch} of {a.Length}");
        }
    }

    private static double Cosine(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            na += (double)a[i] * a[i];
            nb += (double)b[i] * b[i];
        }
        return dot / Math.Sqrt(na * nb);
    }
}
