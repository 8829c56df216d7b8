using Microsoft.CodeAnalysis;

namespace LlamaGen.Generator.Tests;

/// <summary>Every spec in <c>specs/</c> generates code that compiles, with the files and constants it implies.</summary>
public sealed class SpecCompilationTests
{
    /// <summary>
    /// Every spec of <c>specs/</c> as one model class each in one compilation, as the CLI's catalog compiles them: no
    /// generator error, no compile error, and no warning outside the kernel files (those are checked by
    /// <see cref="KernelEmitterTests"/>). One compilation rather than one per spec: the shared kernels dominate the
    /// compile, and 18 separate compilations, twice, took 133 s of CI.
    /// </summary>
    [Fact]
    public void EverySpecCompilesInOneCompilationWithoutErrorsOrWarnings()
    {
        string[] files = Directory.GetFiles(RepositoryPaths.Specs, "*.json").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToArray();
        Assert.True(files.Length >= 18, $"only {files.Length} specs found in {RepositoryPaths.Specs}");
        string[] sources = files.Select((f, i) => GeneratorHarness.ModelSource("specs/" + f, "M" + i)).ToArray();
        var specs = files.Select(f => Path.Combine(RepositoryPaths.Specs, f)).Select(p => (p, File.ReadAllText(p))).ToArray();
        GeneratorResult result = GeneratorHarness.Run(sources, specs);

        Assert.Null(result.Exception);
        Assert.Empty(result.GeneratorErrors);
        var diagnostics = result.Output.GetDiagnostics();
        Assert.True(!diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error),
            string.Join("\n", diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Take(20)));
        var warnings = diagnostics
            .Where(d => d.Severity == DiagnosticSeverity.Warning && d.Location.SourceTree is { } tree && !tree.FilePath.Contains(".Kernels."))
            .Select(d => $"{Path.GetFileName(d.Location.SourceTree!.FilePath)}: {d}")
            .ToList();
        Assert.True(warnings.Count == 0, string.Join("\n", warnings));
        for (int i = 0; i < files.Length; i++)
            foreach (string part in new[] { "Shape", "Weights", "Forward" })
                Assert.True(result.HintNames.Contains($"Test.M{i}.{part}.g.cs"), $"{files[i]}: no Test.M{i}.{part}.g.cs");
        Assert.Contains("LlamaModels.g.cs", result.HintNames);
        Assert.Contains("LlamaGen.KernelTable.g.cs", result.HintNames);
        foreach (string isa in new[] { "Scalar", "Vector128", "Neon", "Avx2", "Avx512" })
            Assert.Contains($"LlamaGen.Kernels.{isa}.g.cs", result.HintNames);
    }

    [Fact]
    public void Stories260KConstantsMatchThePublishedHyperparameters()
    {
        // Expected values: the fixture README (dim 64, hidden 172, 5 layers, 8 heads, 4 KV heads, vocab 512, seq 512).
        string path = Path.Combine(RepositoryPaths.Specs, "stories260k.json");
        GeneratorResult result = GeneratorHarness.Run(GeneratorHarness.ModelSource("specs/stories260k.json"), (path, File.ReadAllText(path)));
        INamedTypeSymbol model = result.Output.GetTypeByMetadataName("Test.M")!;

        object? Constant(string name) => model.GetMembers(name).OfType<IFieldSymbol>().Single().ConstantValue;
        Assert.Equal(64, Constant("EmbeddingLength"));
        Assert.Equal(5, Constant("BlockCount"));
        Assert.Equal(8, Constant("HeadCount"));
        Assert.Equal(4, Constant("HeadCountKv"));
        Assert.Equal(8, Constant("HeadDimension"));
        Assert.Equal(2, Constant("GroupSize"));
        Assert.Equal(32, Constant("KvDimension"));
        Assert.Equal(172, Constant("FeedForwardLength"));
        Assert.Equal(512, Constant("VocabSize"));
        Assert.Equal(512, Constant("ContextLength"));
        Assert.Equal(1e-5f, Constant("RmsEpsilon"));
        Assert.Equal(10000f, Constant("RopeFreqBase"));
        Assert.True(model.AllInterfaces.Any(i => i.ToDisplayString() == "LlamaGen.Models.ILlamaModel"));
    }

    [Fact]
    public void KernelsAreOnePerWeightTypeWithTheRowLengthAnArgument()
    {
        // stories260K multiplies rows of 64 and of 172 elements (ffn_down): one kernel per type serves both widths.
        string path = Path.Combine(RepositoryPaths.Specs, "stories260k.json");
        GeneratorResult result = GeneratorHarness.Run(GeneratorHarness.ModelSource("specs/stories260k.json"), (path, File.ReadAllText(path)));
        IMethodSymbol[] Methods(string type) =>
            result.Output.GetTypeByMetadataName("LlamaGen.Generated." + type)!.GetMembers().OfType<IMethodSymbol>().Where(m => m.MethodKind == MethodKind.Ordinary).ToArray();
        var scalar = Methods("ScalarKernels").Select(m => m.Name).ToHashSet();
        var avx2 = Methods("Avx2Kernels`1").Select(m => m.Name).ToHashSet();

        Assert.Contains("MatVec_F32", scalar);
        Assert.Contains("MatVec_F16", scalar);
        Assert.Contains("MatVec_BF16", scalar);
        Assert.Contains("MatVec_Q4_0", scalar);
        Assert.Contains("MatVec_Q8_0", avx2);
        Assert.Contains("MatMul_Q8_0", avx2);
        Assert.DoesNotContain("MatMul_F32", avx2); // float products batch through the matrix-vector kernel
        Assert.All(Methods("Avx2Kernels`1"), m => Assert.Equal("columns", m.Parameters.Last().Name));
        // No copy per row length: every name is the product and the type, nothing else.
        string[] types = Enum.GetNames<LlamaGen.Quantization.GgmlType>();
        Assert.All(scalar.Concat(avx2), n => Assert.Contains(n["MatVec_".Length..], types));
        Assert.Empty(result.CompilationErrors);
    }

    [Fact]
    public void NestedModelClassCompilesAndIsRegistered()
    {
        string source = """
            namespace Outer.Space;

            public static partial class Holder
            {
                [LlamaGen.LlamaModel("stories260k.json")]
                internal partial class Tiny;
            }
            """;
        string path = Path.Combine(RepositoryPaths.Specs, "stories260k.json");
        GeneratorResult result = GeneratorHarness.Run(source, ("/somewhere/specs/stories260k.json", File.ReadAllText(path)));

        Assert.Empty(result.GeneratorErrors);
        Assert.Empty(result.CompilationErrors);
        SyntaxTree registry = result.RunResult.Results.Single().GeneratedSources.Single(s => s.HintName == "LlamaModels.g.cs").SyntaxTree;
        Assert.Contains("global::Outer.Space.Holder.Tiny.Load(file, options)", registry.ToString());
    }

    [Fact]
    public void SpecPathsMatchAdditionalFilesWithWindowsSeparators()
    {
        GeneratorResult result = GeneratorHarness.Run(GeneratorHarness.ModelSource("specs/s.json"), (@"C:\repo\specs\s.json", SpecText.With()));

        Assert.Empty(result.GeneratorErrors);
        Assert.Contains("Test.M.Shape.g.cs", result.HintNames);
    }
}
