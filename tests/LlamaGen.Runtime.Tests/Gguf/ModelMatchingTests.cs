using System.Text.Json;
using LlamaGen.Gguf;
using LlamaGen.Quantization;
using LlamaGen.Models;
using LlamaGen.Specs;
using LlamaGen.TestSupport.Reference;

namespace LlamaGen.Runtime.Tests.Gguf;

/// <summary>ModelShapeReader (GGUF → shape), ModelCatalog (shape → compiled model) and SpecJsonWriter (shape → spec).</summary>
public class ModelMatchingTests
{
    private static ModelShape Read(ModelShape shape, GgmlType type = GgmlType.F32, Action<Dictionary<string, GgufValue?>>? metadata = null)
    {
        using var file = TinyLlamaGguf.Write(shape, type, metadata: metadata);
        using var gguf = GgufFile.Open(file.Path);
        return ModelShapeReader.FromGguf(gguf);
    }

    [Fact]
    public void ReadsTheHyperparametersItWasWrittenWith()
    {
        var written = TinyLlamaGguf.Shape(GgmlType.Q8_0);
        var read = Read(written, GgmlType.Q8_0);
        Assert.Equal(written with { WeightTypes = [] }, read with { WeightTypes = [] });
        Assert.Equal([GgmlType.Q8_0], read.WeightTypes); // norms (1-D) are not matrices
    }

    [Fact]
    public void DefaultsForOptionalKeys()
    {
        var read = Read(TinyLlamaGguf.Shape(), metadata: m =>
        {
            m["llama.attention.head_count_kv"] = null;
            m["llama.rope.freq_base"] = null;
            m["llama.rope.dimension_count"] = null;
            m["general.name"] = null;
            m["tokenizer.ggml.tokens"] = null; // vocabulary size then comes from token_embd.weight
        });
        Assert.Equal(read.HeadCount, read.HeadCountKv);
        Assert.Equal(10000f, read.RopeFreqBase);
        Assert.Equal(8, read.VocabSize);
        Assert.StartsWith("llamagen-gguf-test-", read.Name);
    }

    [Fact]
    public void OtherArchitectureIsRejected()
    {
        var e = Assert.Throws<ModelMismatchException>(() =>
            Read(TinyLlamaGguf.Shape(), metadata: m => m["general.architecture"] = GgufValue.Of("gpt2")));
        Assert.Contains("general.architecture is 'gpt2'", e.Message);
    }

    [Fact]
    public void PartialRotaryIsRejected()
    {
        var e = Assert.Throws<ModelMismatchException>(() =>
            Read(TinyLlamaGguf.Shape(), metadata: m => m["llama.rope.dimension_count"] = GgufValue.Of(4u)));
        Assert.Contains("llama.rope.dimension_count is 4 but the head size is 8", e.Message);
    }

    [Fact]
    public void AStatedHeadSizeIsRead()
    {
        // The tiny shape has embedding 32 over 4 heads: head size 8. A file may state another (Mistral Nemo's 32 heads
        // of 128 on 5120), which the shape carries and a spec must match.
        var shape = Read(TinyLlamaGguf.Shape(), metadata: m =>
        {
            m["llama.attention.key_length"] = GgufValue.Of(16u);
            m["llama.attention.value_length"] = GgufValue.Of(16u);
            m["llama.rope.dimension_count"] = GgufValue.Of(16u);
        });
        Assert.Equal(16, shape.HeadDimension);
        Assert.Equal(64, shape.QueryDimension);
        Assert.Equal(16 * shape.HeadCountKv, shape.KvDimension);
        Assert.Equal("attention.key_length: file 16, spec 8", ModelCatalog.FirstDifference(shape, TinyLlamaGguf.Shape()));
        // Stating the usual size is the same shape (Llama 3 and Mistral files do).
        var usual = Read(TinyLlamaGguf.Shape(), metadata: m => m["llama.attention.key_length"] = GgufValue.Of(8u));
        Assert.Equal(8, usual.HeadDimension);
        Assert.Null(ModelCatalog.FirstDifference(usual, TinyLlamaGguf.Shape()));
    }

    [Fact]
    public void KeyAndValueHeadsOfDifferentSizesAreRejected()
    {
        var e = Assert.Throws<ModelMismatchException>(() => Read(TinyLlamaGguf.Shape(), metadata: m =>
        {
            m["llama.attention.key_length"] = GgufValue.Of(8u);
            m["llama.attention.value_length"] = GgufValue.Of(16u);
        }));
        Assert.Contains("llama.attention.value_length is 16 but the key head size is 8", e.Message);
    }

    [Fact]
    public void AnOddStatedHeadSizeNamesTheKey()
    {
        var e = Assert.Throws<GgufFormatException>(() => Read(TinyLlamaGguf.Shape(), metadata: m => m["llama.attention.key_length"] = GgufValue.Of(7u)));
        Assert.Contains("llama.attention.key_length", e.Message);
        Assert.Contains("the head size 7 is odd", e.Message);
    }

    [Fact]
    public void ASpecMayHoldFewerPositionsThanTheFileWasTrainedFor()
    {
        var shape = TinyLlamaGguf.Shape(GgmlType.Q4_0);
        using var file = TinyLlamaGguf.Write(shape, GgmlType.Q4_0);
        using var gguf = GgufFile.Open(file.Path);
        Assert.Equal(16, shape.ContextLength);
        var shorter = Descriptor("Shorter", shape with { ContextLength = 8 });
        Assert.Equal("Shorter", ModelCatalog.Match(gguf, [shorter]).TypeName);
        Assert.Null(ModelCatalog.FirstDifference(shape, shorter.Shape));
        Assert.Equal("context_length: file 16, spec 17 (a spec may have a shorter context than the file, not a longer one)",
            ModelCatalog.FirstDifference(shape, shape with { ContextLength = 17 }));
    }

    [Fact]
    public void MissingAndInvalidKeysNameTheKey()
    {
        var missing = Assert.Throws<GgufFormatException>(() =>
            Read(TinyLlamaGguf.Shape(), metadata: m => m["llama.attention.layer_norm_rms_epsilon"] = null));
        Assert.Equal("metadata key 'llama.attention.layer_norm_rms_epsilon'", missing.Field);

        var zero = Assert.Throws<GgufFormatException>(() =>
            Read(TinyLlamaGguf.Shape(), metadata: m => m["llama.block_count"] = GgufValue.Of(0u)));
        Assert.Contains("'llama.block_count' value", zero.Field);

        var indivisible = Assert.Throws<GgufFormatException>(() =>
            Read(TinyLlamaGguf.Shape(), metadata: m => m["llama.attention.head_count_kv"] = GgufValue.Of(3u)));
        Assert.Contains("not a multiple of head_count_kv 3", indivisible.Message);
    }

    private static ModelDescriptor Descriptor(string type, ModelShape shape) =>
        new(type, $"specs/{type}.json", shape, (_, _) => throw new NotSupportedException());

    [Fact]
    public void MatchPicksTheSpecThatFits()
    {
        var shape = TinyLlamaGguf.Shape(GgmlType.Q4_0);
        using var file = TinyLlamaGguf.Write(shape, GgmlType.Q4_0);
        using var gguf = GgufFile.Open(file.Path);
        var descriptors = new[]
        {
            Descriptor("Wider", shape with { EmbeddingLength = 64 }),
            Descriptor("NoQ4", shape with { WeightTypes = [GgmlType.Q8_0, GgmlType.F32] }),
            // The spec's decimal 1e-5 vs the file's float32: equal within the tolerance.
            Descriptor("Fits", shape with { RmsEpsilon = (float)1e-5, WeightTypes = [GgmlType.F32, GgmlType.Q8_0, GgmlType.Q4_0] }),
        };
        Assert.Equal("Fits", ModelCatalog.Match(gguf, descriptors).TypeName);
    }

    [Fact]
    public void NoMatchExplainsEachSpecAndHowToAddOne()
    {
        var shape = TinyLlamaGguf.Shape(GgmlType.Q4_0);
        using var file = TinyLlamaGguf.Write(shape, GgmlType.Q4_0);
        using var gguf = GgufFile.Open(file.Path);
        var descriptors = new[]
        {
            Descriptor("LongerContext", shape with { ContextLength = 32 }),
            Descriptor("OtherEpsilon", shape with { RmsEpsilon = 1.00001e-5f }),
            Descriptor("NoQ4", shape with { WeightTypes = [GgmlType.Q8_0] }),
        };
        var e = Assert.Throws<ModelMismatchException>(() => ModelCatalog.Match(gguf, descriptors));
        Assert.Contains(file.Path + ": no compiled model matches this file.", e.Message);
        Assert.Contains("embedding_length 32, block_count 2, attention.head_count 4, attention.head_count_kv 2", e.Message);
        Assert.Contains("LongerContext (specs/LongerContext.json): context_length: file 16, spec 32", e.Message);
        Assert.Contains("OtherEpsilon (specs/OtherEpsilon.json): attention.layer_norm_rms_epsilon: file 1E-05, spec 1.00001E-05", e.Message);
        Assert.Contains("NoQ4 (specs/NoQ4.json): weight_types: the file has q4_0 tensors, the spec compiles q8_0", e.Message);
        Assert.Contains($"llamagen spec from-gguf --model {file.Path} > specs/tiny.json", e.Message);
        Assert.Contains("[LlamaModel(\"specs/tiny.json\")] public partial class Tiny;", e.Message);
    }

    [Fact]
    public void SpecJsonHasTheDesignFieldNamesAndReadsBackToTheSameShape()
    {
        var shape = TinyLlamaGguf.Shape(GgmlType.Q8_0) with { Name = "My Model 7B", RmsEpsilon = 1e-6f, RopeFreqBase = 1e6f };
        string json = SpecJsonWriter.Write(shape);
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        Assert.Equal(
            ["name", "architecture", "embedding_length", "block_count", "attention.head_count", "attention.head_count_kv",
             "feed_forward_length", "vocab_size", "context_length", "rope.freq_base", "attention.layer_norm_rms_epsilon", "weight_types"],
            root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("my-model-7b", root.GetProperty("name").GetString());
        Assert.Equal("llama", root.GetProperty("architecture").GetString());
        Assert.Equal(32, root.GetProperty("embedding_length").GetInt32());
        Assert.Equal(2, root.GetProperty("attention.head_count_kv").GetInt32());
        Assert.Equal(1e6f, root.GetProperty("rope.freq_base").GetSingle());
        Assert.Equal(1e-6f, root.GetProperty("attention.layer_norm_rms_epsilon").GetSingle());
        Assert.Equal(["q8_0", "f32"], root.GetProperty("weight_types").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains("\"attention.layer_norm_rms_epsilon\": 1e-6,", json);
        Assert.Contains("\"rope.freq_base\": 1000000.0,", json);
    }

    [Fact]
    public void TinyRandomFixtureMatchesItsCheckedInSpec()
    {
        // specs/llama-2-tiny-random.json was written from the fixture's README; the reader must agree with it.
        using var gguf = GgufFile.Open(LlamaGen.TestSupport.Reference.ReferenceFixtures.TinyRandomGguf);
        var shape = ModelShapeReader.FromGguf(gguf);
        using var spec = JsonDocument.Parse(File.ReadAllText(FindSpec("llama-2-tiny-random.json")));
        var s = spec.RootElement;
        Assert.Equal(s.GetProperty("embedding_length").GetInt32(), shape.EmbeddingLength);
        Assert.Equal(s.GetProperty("block_count").GetInt32(), shape.BlockCount);
        Assert.Equal(s.GetProperty("attention.head_count").GetInt32(), shape.HeadCount);
        Assert.Equal(s.GetProperty("attention.head_count_kv").GetInt32(), shape.HeadCountKv);
        Assert.Equal(s.GetProperty("feed_forward_length").GetInt32(), shape.FeedForwardLength);
        Assert.Equal(s.GetProperty("vocab_size").GetInt32(), shape.VocabSize);
        Assert.Equal(s.GetProperty("context_length").GetInt32(), shape.ContextLength);
        var specTypes = s.GetProperty("weight_types").EnumerateArray().Select(e => e.GetString()).ToHashSet();
        Assert.All(shape.WeightTypes, t => Assert.Contains(GgmlTypeInfo.Name(t), specTypes));
    }

    internal static string FindSpec(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "specs", name);
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException($"specs/{name} not found above {AppContext.BaseDirectory}");
    }
}
