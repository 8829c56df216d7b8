using LlamaGen.Conversion;
using LlamaGen.Gguf;
using LlamaGen.Models;
using LlamaGen.Quantization;
using LlamaGen.Specs;
using LlamaGen.TestModels;
using LlamaGen.TestSupport.LlamaCpp;
using LlamaGen.TestSupport.Reference;

namespace LlamaGen.Oracle.Tests.Models;

/// <summary>
/// Linear RoPE scaling (<c>llama.rope.scaling.type = "linear"</c>, <c>llama.rope.scaling.factor</c>: the position
/// interpolation of the long-context Llama 2 fine-tunes) against llama.cpp on the same synthetic F32 file
/// (<see cref="Llama2TestSmall"/>), and the scaling types LlamaGen does not implement refused by name.
/// </summary>
public sealed class RopeScalingOracleTests : IDisposable
{
    // F32 weights on both sides: summation order only (as the other F32 comparisons; logits of about ±1).
    private const float F32Tolerance = 5e-5f;
    private const int Steps = 12;
    private const ulong Seed = 7;
    private const string Prompt = "Once upon a time, there was a little robot who lived in a big house with a garden.";

    private readonly string directory = Directory.CreateTempSubdirectory("llamagen-rope-scaling-").FullName;

    private string Write(string name, float? factor)
    {
        string path = Path.Combine(directory, name);
        var shape = SpecJsonReader.ReadFile(SyntheticModelFiles.SpecPath("llama2-test-small.json"));
        SyntheticModelWriter.Write(shape, SyntheticModelType.Of(GgmlType.F32), ReferenceFixtures.TinyRandomGguf, path, Seed,
            options: new SyntheticModelOptions { LinearRopeScalingFactor = factor });
        return path;
    }

    [Fact]
    public void LinearScalingFollowsLlamaCpp()
    {
        string scaled = Write("linear-4.gguf", 4f), plain = Write("plain.gguf", null);
        int[] prompt, expectedIds;
        float[][] expectedLogits, unscaled;
        using (var oracle = LlamaCppOracle.Open(scaled))
        {
            prompt = oracle.Tokenize(Prompt, addSpecial: true, parseSpecial: false);
            (expectedIds, expectedLogits) = oracle.Greedy(prompt, Steps);
        }
        using (var oracle = LlamaCppOracle.Open(plain))
            unscaled = oracle.EvaluateLastLogits([.. prompt, .. expectedIds[..^1]], Steps);
        float effect = 0;
        for (int i = 0; i < Steps; i++) effect = MathF.Max(effect, LogitComparison.MaxAbsDifference(expectedLogits[i], unscaled[i]));
        Assert.True(effect > 100 * F32Tolerance, $"the scaling moves llama.cpp's logits by only {effect:E2}: the test could not see it.");

        using var file = GgufFile.Open(scaled);
        Assert.Equal(0.25f, RopeScaling.FrequencyScale(file));
        using var model = ModelCatalog.Match(file, TestModelCatalog.All).Load(file);
        Assert.Equal(0.25f, model.Rope.FrequencyScale);
        var (worst, compared, divergence) = GreedyPathComparison.Follow(model, prompt, expectedIds, expectedLogits, Steps);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"linear x4: {compared} greedy steps, max |logit difference| {worst:E2} (tolerance {F32Tolerance:E1}); " +
            $"the scaling moves llama.cpp's logits by {effect:E2}" + (divergence is null ? "" : "; " + divergence));
        Assert.True(worst < F32Tolerance, $"linear RoPE scaling: logits differ from llama.cpp by {worst:E3}.");
    }

    [Theory]
    [InlineData("none", 4f, 1f)]
    [InlineData("linear", 2f, 0.5f)]
    [InlineData("linear", 0f, 1f)]
    [InlineData("yarn", 1f, 1f)]
    public void TheScaleIsLlamaCpps(string type, float factor, float expected)
    {
        using var file = GgufFile.Open(Copy("scale.gguf", type, factor));
        Assert.Equal(expected, RopeScaling.FrequencyScale(file));
    }

    [Fact]
    public void YarnIsRefusedNamingTheKey()
    {
        using var file = GgufFile.Open(Copy("yarn.gguf", "yarn", 4f));
        var e = Assert.Throws<ModelMismatchException>(() => RopeScaling.FrequencyScale(file));
        Assert.Contains("llama.rope.scaling.type is \"yarn\" with factor 4", e.Message);
        Assert.Contains(file.Path, e.Message);
        using var negative = GgufFile.Open(Copy("negative.gguf", "linear", -2f));
        var bad = Assert.Throws<GgufFormatException>(() => RopeScaling.FrequencyScale(negative));
        Assert.Contains("llama.rope.scaling.factor", bad.Message);
    }

    /// <summary>A metadata-only GGUF with the scaling keys (what <see cref="RopeScaling"/> reads).</summary>
    private string Copy(string name, string type, float factor)
    {
        string path = Path.Combine(directory, name);
        using var output = File.Create(path);
        new GgufWriter(output).AddMetadata("general.architecture", "llama")
            .AddMetadata(RopeScaling.TypeKey, type).AddMetadata(RopeScaling.FactorKey, factor).Finish();
        return path;
    }

    public void Dispose()
    {
        try { Directory.Delete(directory, recursive: true); }
        catch (IOException) { }
    }
}
