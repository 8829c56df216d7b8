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
/// Heads that are not embedding_length / head_count wide (<c>llama.attention.key_length</c>, as in Mistral Nemo and
/// Mistral Small: 32 heads of 128 on a 5120-wide model) against llama.cpp on the same synthetic files
/// (<see cref="HeadSizeTest"/>: 6 query heads of 128 on a 512-wide model, 2 KV heads, so attn_q is 768 rows of 512 and
/// attn_output 512 rows of 768).
/// </summary>
/// <remarks>
/// Bounds as in <see cref="LlamaGen.Oracle.Tests.Llama3.Llama3SyntheticOracleTests"/>: an F32 file within
/// <see cref="F32Tolerance"/> of llama.cpp (summation order only); a quantized file closer to llama.cpp than llama.cpp's
/// own run of the F32 file of the same seed is to it, capped at a quarter of the exact logits' range. A model that took
/// the head size for 512 / 6 could not even bind these files (the slots' shapes differ); one that split the 768 query
/// values into heads the wrong way would differ by about the range.
/// </remarks>
public sealed class HeadSizeOracleTests : IDisposable
{
    private const float F32Tolerance = 5e-5f;
    private const int Steps = 16;
    private const ulong Seed = 5;
    private const string Prompt = "Once upon a time, there was a little robot who";

    private static readonly ModelShape Shape = SpecJsonReader.ReadFile(SpecPath());
    private readonly string directory = Directory.CreateTempSubdirectory("llamagen-head-size-").FullName;
    private readonly Dictionary<string, string> files = [];

    [Fact]
    public void TheSpecStatesAHeadSizeOtherThanEmbeddingOverHeads()
    {
        Assert.Equal(128, Shape.HeadDimension);
        Assert.Equal(768, Shape.QueryDimension);
        Assert.NotEqual(Shape.EmbeddingLength, Shape.QueryDimension);
        Assert.Null(ModelCatalog.FirstDifference(Shape, HeadSizeTest.Spec));
        Assert.Equal(128, HeadSizeTest.HeadDimension);
        Assert.Equal(768, HeadSizeTest.QueryDimension);
        using var file = GgufFile.Open(Get("f32"));
        Assert.Equal(128u, file.GetUInt32("llama.attention.key_length"));
        ModelShape read = ModelShapeReader.FromGguf(file);
        Assert.Equal(128, read.HeadDimension);
        Assert.Null(ModelCatalog.FirstDifference(read, HeadSizeTest.Spec));
        Assert.Equal([512, 768], file.Tensors.Single(t => t.Name == "blk.0.attn_q.weight").Dimensions.Select(d => (int)d));
        Assert.Equal([768, 512], file.Tensors.Single(t => t.Name == "blk.0.attn_output.weight").Dimensions.Select(d => (int)d));
    }

    [Theory]
    [InlineData("f32")]
    [InlineData("q8_0")]
    [InlineData("q4_0")]
    [InlineData("q4_k_m")]
    public void LogitsFollowLlamaCpp(string typeName)
    {
        string path = Get(typeName);
        int[] prompt, expectedIds;
        float[][] expectedLogits;
        using (var oracle = LlamaCppOracle.Open(path))
        {
            Assert.Equal(512, oracle.Context.NativeHandle.EmbeddingSize);
            prompt = oracle.Tokenize(Prompt, addSpecial: true, parseSpecial: false);
            (expectedIds, expectedLogits) = oracle.Greedy(prompt, Steps);
        }

        float bound;
        string scale;
        if (typeName == "f32")
        {
            bound = F32Tolerance;
            scale = $"tolerance {F32Tolerance:E1}";
        }
        else
        {
            float[][] exact;
            using (var oracle = LlamaCppOracle.Open(Get("f32")))
                exact = oracle.EvaluateLastLogits([.. prompt, .. expectedIds[..^1]], Steps);
            float quantizationError = 0;
            for (int i = 0; i < Steps; i++)
                quantizationError = MathF.Max(quantizationError, LogitComparison.MaxAbsDifference(expectedLogits[i], exact[i]));
            float range = exact.Min(l => l.Max() - l.Min());
            bound = MathF.Min(quantizationError, 0.25f * range);
            scale = $"bound {bound:E2} (llama.cpp vs its F32 run {quantizationError:E2}, exact range {range:E2})";
        }

        using var file = GgufFile.Open(path);
        var descriptor = ModelCatalog.Match(file, TestModelCatalog.All);
        Assert.Equal(typeof(HeadSizeTest).FullName, descriptor.TypeName);
        using var model = descriptor.Load(file);
        var (worst, compared, divergence) = GreedyPathComparison.Follow(model, prompt, expectedIds, expectedLogits, Steps);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{typeName}: {compared} greedy steps, max |logit difference| {worst:E2}, {scale}" + (divergence is null ? "" : "; " + divergence));
        Assert.True(worst < bound, $"{typeName}: logits differ from llama.cpp by {worst:E3}; {scale}.");
    }

    [Fact]
    public void AFileWithoutTheHeadSizeKeyIsRefusedNamingIt()
    {
        // The model's keys without llama.attention.key_length: 512 / 6 is no head size, and the error must say so.
        string stripped = MetadataCopy("no-key-length.gguf", keyLength: null);
        using var file = GgufFile.Open(stripped);
        var e = Assert.Throws<GgufFormatException>(() => ModelShapeReader.FromGguf(file));
        Assert.Contains("llama.attention.head_count", e.Message);
        Assert.Contains("512 is not a multiple of head_count 6", e.Message);
    }

    [Fact]
    public void AnotherHeadSizeDoesNotMatchTheSpecAndTheMismatchNamesTheKey()
    {
        using var file = GgufFile.Open(MetadataCopy("key-length-64.gguf", keyLength: 64));
        ModelShape shape = ModelShapeReader.FromGguf(file);
        Assert.Equal(64, shape.HeadDimension);
        Assert.Equal("attention.key_length: file 64, spec 128", ModelCatalog.FirstDifference(shape with { WeightTypes = [] }, HeadSizeTest.Spec));
        Assert.Contains("attention.key_length 64", ModelCatalog.Describe(shape));
    }

    /// <summary>The F32 file's metadata alone (no tensors), its head size keys replaced by <paramref name="keyLength"/> or left out.</summary>
    private string MetadataCopy(string name, uint? keyLength)
    {
        string path = Path.Combine(directory, name);
        using (var source = GgufFile.Open(Get("f32")))
        using (var output = File.Create(path))
        {
            var writer = new GgufWriter(output);
            foreach (var entry in source.Metadata)
                if (entry.Key is not ("llama.attention.key_length" or "llama.attention.value_length" or "llama.rope.dimension_count"))
                    writer.AddMetadata(entry.Key, entry.Value);
            if (keyLength is uint length)
                writer.AddMetadata("llama.attention.key_length", length).AddMetadata("llama.attention.value_length", length);
            writer.Finish();
        }
        return path;
    }

    private string Get(string typeName)
    {
        lock (files)
        {
            if (files.TryGetValue(typeName, out string? existing)) return existing;
            Assert.True(SyntheticModelType.TryParse(typeName, out var type), typeName);
            string path = Path.Combine(directory, $"head-size-test-{typeName}.gguf");
            SyntheticModelWriter.Write(Shape, type, ReferenceFixtures.TinyRandomGguf, path, Seed);
            files[typeName] = path;
            return path;
        }
    }

    private static string SpecPath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "tests", "LlamaGen.TestModels", "Specs", "head-size-test.json");
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException($"Cannot find tests/LlamaGen.TestModels/Specs/head-size-test.json in any parent of {AppContext.BaseDirectory}.");
    }

    public void Dispose()
    {
        try { Directory.Delete(directory, recursive: true); }
        catch (IOException) { }
    }
}
