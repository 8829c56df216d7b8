using System.Collections.Concurrent;
using LlamaGen.Conversion;
using LlamaGen.Specs;
using LlamaGen.TestSupport.Models;

namespace LlamaGen.Oracle.Tests.Llama3;

/// <summary>
/// Synthetic Llama 3 shaped models (<c>Specs/llama3-test.json</c>, <see cref="LlamaGen.TestModels.Llama3Test"/>) with the
/// Llama 3 style vocabulary (<see cref="Llama3TestVocabulary"/>) and a tied classifier, with or without Llama 3's RoPE
/// frequency factors (as llama.cpp's converter computes them for Llama 3.1: factor 8, low/high frequency factors 1 and
/// 4, original context 8192). The files of one seed differ only in <c>rope_freqs.weight</c>: the other tensors are
/// written first and hold the same values. Written once per (type, factors) into a temp folder shared by a class.
/// </summary>
public sealed class Llama3SyntheticFiles : IDisposable
{
    public const string SpecName = "llama3-test.json";
    public const ulong Seed = 3;

    private readonly string directory = System.IO.Directory.CreateTempSubdirectory("llamagen-llama3-oracle-").FullName;
    private readonly ConcurrentDictionary<string, Lazy<string>> files = new(StringComparer.Ordinal);

    public static LlamaGen.Models.ModelShape Shape { get; } = SpecJsonReader.ReadFile(SpecPath());

    /// <summary>The factors written as <c>rope_freqs.weight</c>.</summary>
    public static float[] Factors { get; } = Llama3RopeScaling.Factors(Shape.HeadDimension, Shape.RopeFreqBase);

    public string Directory => directory;

    /// <summary>The model of <paramref name="type"/>, with <c>rope_freqs.weight</c> when <paramref name="frequencyFactors"/>.</summary>
    public string Get(SyntheticModelType type, bool frequencyFactors = true) =>
        files.GetOrAdd($"llama3-test-{type.Name}-{(frequencyFactors ? "factors" : "plain")}.gguf", name => new Lazy<string>(() =>
        {
            string path = Path.Combine(directory, name);
            var options = new SyntheticModelOptions { TiedEmbeddings = true, RopeFrequencyFactors = frequencyFactors ? Factors : null };
            SyntheticModelWriter.Write(Shape, type, Llama3TestVocabulary.Path, path, Seed, options: options);
            return path;
        })).Value;

    /// <summary><c>tests/LlamaGen.TestModels/Specs/llama3-test.json</c>, from the nearest parent of the test binaries.</summary>
    private static string SpecPath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "tests", "LlamaGen.TestModels", "Specs", SpecName);
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException($"Cannot find tests/LlamaGen.TestModels/Specs/{SpecName} in any parent of {AppContext.BaseDirectory}.");
    }

    public void Dispose()
    {
        try { System.IO.Directory.Delete(directory, recursive: true); }
        catch (IOException) { }
    }
}
