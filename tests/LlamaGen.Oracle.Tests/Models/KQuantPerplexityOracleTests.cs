using LlamaGen.Conversion;
using LlamaGen.Gguf;
using LlamaGen.TestModels;
using LlamaGen.Quantization;
using LlamaGen.TestSupport.Reference;
using LlamaGen.Tokenization;
using LlamaGen.Kernels;
using LlamaGen.Models;
using LlamaGen.Perplexity;

namespace LlamaGen.Oracle.Tests.Models;

/// <summary>
/// The K file types of <c>llamagen quantize</c> with their K-quants actually in the file: stories260K's rows of 64 and 172
/// make the quantizer fall back to 32-element types (<see cref="PerplexityOracleTests"/>), so here the F32 synthetic model
/// of <c>specs/llama2-test-k.json</c> (rows of 256 and 768) is quantized by <see cref="GgufQuantizer"/> to each K file
/// type, and llama.cpp's perplexity on the result is compared with ours (<see cref="Llama2TestK"/>), as for stories260K.
/// </summary>
/// <remarks>
/// A random-weight model predicts text badly (perplexity in the tens of thousands), but the comparison is the same
/// computation on the same file: the files must load in llama.cpp, and the two engines' perplexities agree to 1%.
/// Measured (AVX-512 kernels, LLamaSharp 0.30.0 avx512 build), relative difference at context 128, 252 tokens scored:
/// q2_k 3.7e-4, q3_k_s 1.6e-4, q3_k_m 1.0e-4, q3_k_l 1.4e-4, q4_k_s 1.6e-4, q4_k_m 8.7e-5, q5_k_s 3.4e-4, q5_k_m 7.4e-5,
/// q6_k 3.6e-4 (perplexities near 33,000). Each case prints the types its file holds.
/// </remarks>
public sealed class KQuantPerplexityOracleTests(SyntheticModelFiles files) : IClassFixture<SyntheticModelFiles>
{
    private const double RelativeTolerance = 0.01;
    private const int ContextLength = 128;

    public static TheoryData<string> KFileTypes() =>
        new(QuantizationRecipe.TypeNames
            .Select(n => QuantizationRecipe.TryParse(n, out var t) ? QuantizationRecipe.Name(t) : n)
            .Distinct()
            .Where(n => n.Contains("_k", StringComparison.Ordinal)));

    [Theory]
    [MemberData(nameof(KFileTypes))]
    public void PerplexityOfTheQuantizedSyntheticModelMatchesLlamaCpp(string type)
    {
        Assert.True(QuantizationRecipe.TryParse(type, out var fileType), type);
        string source = files.Get("llama2-test-k.json", SyntheticModelType.Of(GgmlType.F32), seed: 5);
        string path = Path.Combine(Path.GetDirectoryName(source)!, $"llama2-test-k-{type}.gguf");
        GgufQuantizer.Quantize(source, path, new GgufQuantizeOptions(fileType));

        string text = TinyStoryText.Text;
        var (expected, expectedScored, expectedTokens) = PerplexityOracleTests.LlamaCppPerplexity(path, text, ContextLength);

        using var file = GgufFile.Open(path);
        var kinds = file.Tensors.Where(t => t.Dimensions.Length > 1).GroupBy(t => t.Type).ToArray();
        string holds = string.Join(", ", kinds.Select(g => $"{g.Count()} {GgmlTypeInfo.Name(g.Key)}"));
        Assert.Contains(kinds, g => g.Key is GgmlType.Q2_K or GgmlType.Q3_K or GgmlType.Q4_K or GgmlType.Q5_K or GgmlType.Q6_K);
        using ILlamaModel model = Llama2TestK.Load(file);
        var ours = new PerplexityEvaluator(model, SentencePieceTokenizer.FromGguf(file))
            .Evaluate(text, new PerplexityOptions { ContextLength = ContextLength });

        double relative = Math.Abs(ours.Perplexity - expected) / expected;
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{type} (matrices: {holds}): ours {ours.Perplexity:F4}, llama.cpp {expected:F4}, relative difference {relative:E2} " +
            $"({ours.TokensScored} tokens in {ours.Windows} windows, kernels {LlamaGen.Kernels.KernelSupport.Best})");
        Assert.Equal(expectedTokens, ours.TextTokens);
        Assert.Equal(expectedScored, ours.TokensScored);
        Assert.True(relative < RelativeTolerance,
            $"{type}: perplexity {ours.Perplexity:F4} differs from llama.cpp's {expected:F4} by {relative:P3} (bound {RelativeTolerance:P0}).");
    }
}
