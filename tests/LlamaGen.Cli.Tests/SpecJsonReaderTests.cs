using LlamaGen.Catalog;
using LlamaGen.Quantization;
using LlamaGen.Models;
using LlamaGen.Specs;

namespace LlamaGen.Cli.Tests;

/// <summary>
/// <see cref="SpecJsonReader"/> against the generator (the shapes it compiled from the same spec files), against
/// <see cref="SpecJsonWriter"/> (round trip), and on malformed specs (the error names the file and the line).
/// </summary>
public sealed class SpecJsonReaderTests
{
    private const string Path = "dir/spec.json";

    private static string SpecsDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = System.IO.Path.Combine(dir.FullName, "specs");
            if (File.Exists(System.IO.Path.Combine(candidate, "stories260k.json"))) return candidate;
        }
        throw new DirectoryNotFoundException($"Cannot find specs/ in any parent of {AppContext.BaseDirectory}.");
    }

    public static TheoryData<string> CompiledModelNames => new(CompiledModels.All.Select(d => d.TypeName));

    [Theory]
    [MemberData(nameof(CompiledModelNames))]
    public void ReadsEverySpecAsTheGeneratorCompiledIt(string typeName)
    {
        var descriptor = CompiledModels.All.Single(d => d.TypeName == typeName);
        string path = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(SpecsDirectory())!, descriptor.SpecPath);
        AssertSameShape(descriptor.Shape, SpecJsonReader.ReadFile(path));
    }

    [Theory]
    [MemberData(nameof(CompiledModelNames))]
    public void ReadsWhatSpecJsonWriterWrites(string typeName)
    {
        var shape = CompiledModels.All.Single(d => d.TypeName == typeName).Shape;
        var read = SpecJsonReader.Parse(SpecJsonWriter.Write(shape), Path);
        // The writer adds f32 (norms are always f32) and makes the name file-safe.
        AssertSameShape(shape with { Name = SpecJsonWriter.SafeName(shape.Name), WeightTypes = [.. shape.WeightTypes.Union([GgmlType.F32]).Order()] },
            read with { WeightTypes = [.. read.WeightTypes.Order()] });
    }

    [Fact]
    public void OptionalKeysTakeTheGeneratorsDefaults()
    {
        var shape = SpecJsonReader.Parse("""
            { "name": "m", "architecture": "llama", "embedding_length": 64, "block_count": 1, "attention.head_count": 4,
              "feed_forward_length": 96, "vocab_size": 10, "context_length": 16, "weight_types": ["F16"] }
            """, Path);
        Assert.Equal(4, shape.HeadCountKv);
        Assert.Equal(10000f, shape.RopeFreqBase);
        Assert.Equal(1e-5f, shape.RmsEpsilon);
        Assert.Equal([GgmlType.F16], shape.WeightTypes);
    }

    public static TheoryData<string, int, string> BadSpecs => new()
    {
        { "", 1, "empty" },
        { "[1, 2]", 1, "JSON object" },
        { Spec(("block_count", "2,,")), 5, "invalid JSON" },
        { Spec() + "\n{}", 15, "invalid JSON" },
        { Spec(("block_count", "\"two\"")), 5, "\"block_count\" must be a positive integer, not a string" },
        { Spec(("block_count", "2.5")), 5, "not 2.5" },
        { Spec(("block_count", "0")), 5, "between 1 and" },
        { Spec(("context_length", "1e12")), 10, "between 1 and" },
        { Spec(("context_length", "100000000")), 10, "values per cache" },
        { Spec(("architecture", "\"mistral\"")), 3, "only \"llama\"" },
        { Spec(("name", "\" \"")), 2, "\"name\" is empty" },
        { Spec(("attention.head_count", "3")), 6, "does not divide embedding_length 64" },
        { Spec(("attention.head_count_kv", "3")), 7, "head_count_kv 3 does not divide" },
        { Spec(("rope.freq_base", "-1")), 11, "positive number" },
        { Spec(("weight_types", "[]")), 13, "empty" },
        { Spec(("weight_types", "[\n    \"f16\",\n    \"q9_9\"\n  ]")), 15, "\"q9_9\"" },
        { Spec(("weight_types", "[\"f16\", \"F16\"]")), 13, "twice" },
        { Spec(("weight_types", "\"f16\"")), 13, "array of type names" },
        { Spec(("vocab_size", null)), 1, "\"vocab_size\" is missing" },
        { Spec(("extra", "1")), 14, "unknown key \"extra\"" },
        { Spec(("block_count", "1"), ("block_count", "2")), 14, "more than once" },
    };

    [Theory]
    [MemberData(nameof(BadSpecs))]
    public void BadSpecErrorNamesTheFileAndLine(string json, int line, string problem)
    {
        var e = Assert.Throws<SpecFormatException>(() => SpecJsonReader.Parse(json, Path));
        Assert.Equal(Path, e.FilePath);
        Assert.Equal(line, e.Line);
        Assert.StartsWith($"{Path}({line}): ", e.Message);
        Assert.Contains(problem, e.Problem);
    }

    [Fact]
    public void OddHeadDimensionIsRejected()
    {
        var e = Assert.Throws<SpecFormatException>(() => SpecJsonReader.Parse(Spec(("embedding_length", "60"), ("attention.head_count", "4")), Path));
        Assert.Equal(6, e.Line);
        Assert.Contains("head dimension embedding_length / attention.head_count = 15 is odd", e.Problem);
    }

    [Fact]
    public void AStatedHeadSizeIsReadWrittenAndChecked()
    {
        var shape = SpecJsonReader.Parse(Spec(("attention.head_count", "6"), ("attention.head_count_kv", "2"), ("attention.key_length", "32")), Path);
        Assert.Equal(32, shape.HeadDimension);
        Assert.Equal(192, shape.QueryDimension);
        Assert.Equal(64, shape.KvDimension);
        string written = SpecJsonWriter.Write(shape);
        Assert.Contains("\"attention.key_length\": 32,", written);
        Assert.Equal(32, SpecJsonReader.Parse(written, Path).HeadDimension);
        // The usual size is left out, as llama.cpp's converter leaves it out.
        Assert.DoesNotContain("key_length", SpecJsonWriter.Write(SpecJsonReader.Parse(Spec(), Path)));

        var odd = Assert.Throws<SpecFormatException>(() => SpecJsonReader.Parse(Spec(("attention.key_length", "7")), Path));
        Assert.Equal(14, odd.Line);
        Assert.Contains("\"attention.key_length\" is 7; rotary position embedding rotates pairs", odd.Problem);
    }

    [Fact]
    public void MissingFileThrowsFileNotFound() =>
        Assert.Throws<FileNotFoundException>(() => SpecJsonReader.ReadFile(System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.json")));

    /// <summary>
    /// A valid spec, one key per line from line 2 (name) to line 13 (weight_types), with <paramref name="changes"/>:
    /// a null value removes the key, an unknown key is appended on line 14, a known key given twice is appended again.
    /// </summary>
    private static string Spec(params (string Key, string? Value)[] changes)
    {
        var members = new List<(string Key, string Value)>
        {
            ("name", "\"m\""), ("architecture", "\"llama\""), ("embedding_length", "64"), ("block_count", "2"),
            ("attention.head_count", "4"), ("attention.head_count_kv", "2"), ("feed_forward_length", "96"), ("vocab_size", "10"),
            ("context_length", "16"), ("rope.freq_base", "10000.0"), ("attention.layer_norm_rms_epsilon", "1e-5"),
            ("weight_types", "[\"f32\", \"f16\"]"),
        };
        var seen = new HashSet<string>();
        foreach (var (key, value) in changes)
        {
            int index = members.FindIndex(m => m.Key == key);
            if (index >= 0 && seen.Add(key))
            {
                if (value is null) members.RemoveAt(index);
                else members[index] = (key, value);
            }
            else members.Add((key, value!));
        }
        return "{\n" + string.Join(",\n", members.Select(m => $"  \"{m.Key}\": {m.Value}")) + "\n}";
    }

    private static void AssertSameShape(ModelShape expected, ModelShape actual)
    {
        // ModelShape's WeightTypes is a list, which record equality compares by reference.
        Assert.Equal(expected with { WeightTypes = Array.Empty<GgmlType>() }, actual with { WeightTypes = Array.Empty<GgmlType>() });
        Assert.Equal(expected.WeightTypes, actual.WeightTypes);
    }
}
