using LlamaGen.Conversion;
using LlamaGen.Gguf;
using LlamaGen.Inference;
using LlamaGen.Models;
using LlamaGen.Oracle.Tests.LlamaCpp;
using LlamaGen.Quantization;
using LlamaGen.Runtime.Tests.Reference;

namespace LlamaGen.Oracle.Tests.Models;

/// <summary>
/// Synthetic models (<see cref="SyntheticModelWriter"/>) of the small Llama 2 shaped test spec, with the real Llama 2
/// vocabulary, in llama.cpp: it must load every weight type and give finite logits, and the generated
/// <see cref="Llama2TestSmall"/> must follow llama.cpp's greedy path on the very same file.
/// </summary>
/// <remarks>
/// The bound is the one <see cref="QuantizedStories260KOracleTests"/> explains: our distance from llama.cpp must be
/// below llama.cpp's own distance from exact F32 arithmetic on the same tokens. The exact model is the F32 synthetic
/// file of the same seed, which holds the very floats the quantized files were quantized from (each row's values
/// depend only on the seed, the tensor and the row), run by the scalar reference.
/// </remarks>
public sealed class SyntheticModelOracleTests : IDisposable
{
    private const int GreedySteps = 32;
    private const ulong Seed = 11;

    private readonly string directory = Directory.CreateTempSubdirectory("llamagen-synth-oracle-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private static string SpecPath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "specs", "llama2-test-small.json");
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException($"Cannot find specs/llama2-test-small.json in any parent of {AppContext.BaseDirectory}.");
    }

    private string Synthesize(GgmlType type)
    {
        string path = Path.Combine(directory, $"llama2-test-small-{GgmlTypeInfo.Name(type)}.gguf");
        SyntheticModelWriter.Write(SpecJsonReader.ReadFile(SpecPath()), type, ReferenceFixtures.TinyRandomGguf, path, Seed);
        return path;
    }

    public static TheoryData<GgmlType, string> Cases
    {
        get
        {
            var data = new TheoryData<GgmlType, string>();
            foreach (var type in new[] { GgmlType.F16, GgmlType.Q8_0, GgmlType.Q4_0 })
                foreach (string prompt in new[] { "", "Once upon a time", "The quick brown fox jumps over the lazy dog." })
                    data.Add(type, prompt);
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void GeneratedModelFollowsLlamaCppOnTheSameSyntheticFile(GgmlType type, string prompt)
    {
        string path = Synthesize(type);
        using var oracle = LlamaCppOracle.Open(path);
        Assert.Equal(32000, oracle.VocabSize);
        Assert.Equal(128, oracle.Context.NativeHandle.EmbeddingSize);
        int[] promptIds = oracle.Tokenize(prompt, addSpecial: true, parseSpecial: false);
        var (expectedIds, expectedLogits) = oracle.Greedy(promptIds, GreedySteps);
        foreach (float[] logits in expectedLogits)
            Assert.All(logits, v => Assert.True(float.IsFinite(v), "llama.cpp gave a non-finite logit"));

        // llama.cpp's distance from exact F32 arithmetic on the same tokens: the scale of the quantization error.
        float quantizationError = 0;
        using (var exactFile = GgufFile.Open(Synthesize(GgmlType.F32)))
        {
            var reference = new ReferenceLlama(ReferenceGgufLoader.Load(exactFile));
            int[] sequence = [.. promptIds, .. expectedIds];
            for (int pos = 0; pos < sequence.Length - 1; pos++)
            {
                float[] exact = reference.Forward(sequence[pos], pos);
                if (pos >= promptIds.Length - 1)
                    quantizationError = MathF.Max(quantizationError, LogitComparison.MaxAbsDifference(expectedLogits[pos - promptIds.Length + 1], exact));
            }
        }

        using var file = GgufFile.Open(path);
        var descriptor = ModelCatalog.Match(file, CompiledModels.All);
        Assert.Equal(typeof(Llama2TestSmall).FullName, descriptor.TypeName);
        using var model = descriptor.Load(file);
        var (worst, compared, divergence) = GreedyPathComparison.Follow(model, promptIds, expectedIds, expectedLogits, GreedySteps);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{GgmlTypeInfo.Name(type)}, prompt \"{prompt}\": {compared} steps, max |logit difference| {worst:E2}, " +
            $"llama.cpp vs F32 reference {quantizationError:E2} (ratio {worst / quantizationError:F3}){(divergence is null ? "" : "; " + divergence)}");
        Assert.True(worst < quantizationError,
            $"{GgmlTypeInfo.Name(type)}: logits differ from llama.cpp by {worst:E3}, not below llama.cpp's own quantization error {quantizationError:E3}.");
    }

    [Fact]
    public void LlamaCppLoadsTheF32FileAndAgreesWithTheReference()
    {
        string path = Synthesize(GgmlType.F32);
        using var oracle = LlamaCppOracle.Open(path);
        int[] tokens = oracle.Tokenize("Hello world, this is a synthetic model.", addSpecial: true, parseSpecial: false);
        float[][] expected = oracle.EvaluateLogits(tokens);
        using var file = GgufFile.Open(path);
        var reference = new ReferenceLlama(ReferenceGgufLoader.Load(file));
        float worst = 0;
        for (int pos = 0; pos < tokens.Length; pos++)
            worst = MathF.Max(worst, LogitComparison.MaxAbsDifference(expected[pos], reference.Forward(tokens[pos], pos)));
        TestContext.Current.TestOutputHelper?.WriteLine($"f32: max |logit difference| llama.cpp vs reference {worst:E2} over {tokens.Length} tokens");
        // F32 weights on both sides; llama.cpp's F32 matmul keeps the activation in F32, so only summation order
        // differs (logits ~0.3): 1e-4 as for the other F32 comparisons.
        Assert.True(worst < 1e-4f, $"llama.cpp and the reference differ by {worst:E3} on the F32 synthetic model.");
    }
}
