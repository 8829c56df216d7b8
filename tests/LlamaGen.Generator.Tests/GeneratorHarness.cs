using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using LlamaGen.Models;

namespace LlamaGen.Generator.Tests;

/// <summary>Runs <see cref="LlamaModelGenerator"/> on an in-memory compilation that references the runtime.</summary>
internal static class GeneratorHarness
{
    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private static readonly Lazy<MetadataReference[]> References = new(() =>
    {
        // The framework the tests run on plus the runtime assembly (attribute, ILlamaModel, kernels' helpers).
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) is "mscorlib.dll" or "netstandard.dll")
            .ToList();
        paths.Add(typeof(ILlamaModel).Assembly.Location);
        return paths.Distinct().Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToArray();
    });

    public static CSharpCompilation CreateCompilation(params string[] sources) => CSharpCompilation.Create(
        "TestModels",
        sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: $"Source{i}.cs")),
        References.Value,
        new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true, nullableContextOptions: NullableContextOptions.Enable));

    public static GeneratorDriver CreateDriver(params (string Path, string Text)[] additionalFiles) =>
        CreateDriver(additionalFiles.Select(f => (AdditionalText)new InMemoryAdditionalText(f.Path, f.Text)).ToArray());

    public static GeneratorDriver CreateDriver(params AdditionalText[] additionalFiles) => CreateDriver(new LlamaModelGenerator(), additionalFiles);

    public static GeneratorDriver CreateDriver(LlamaModelGenerator generator, params AdditionalText[] additionalFiles) => CSharpGeneratorDriver.Create(
        new[] { generator.AsSourceGenerator() },
        additionalFiles,
        ParseOptions,
        driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    public static GeneratorResult Run(string source, params (string Path, string Text)[] additionalFiles) =>
        Run(new LlamaModelGenerator(), source, additionalFiles);

    public static GeneratorResult Run(LlamaModelGenerator generator, string source, params (string Path, string Text)[] additionalFiles) =>
        Run(generator, [source], additionalFiles);

    /// <summary>Several sources (e.g. one model class each) in one compilation.</summary>
    public static GeneratorResult Run(string[] sources, params (string Path, string Text)[] additionalFiles) =>
        Run(new LlamaModelGenerator(), sources, additionalFiles);

    public static GeneratorResult Run(LlamaModelGenerator generator, string[] sources, params (string Path, string Text)[] additionalFiles)
    {
        CSharpCompilation input = CreateCompilation(sources);
        AdditionalText[] texts = additionalFiles.Select(f => (AdditionalText)new InMemoryAdditionalText(f.Path, f.Text)).ToArray();
        GeneratorDriver driver = CreateDriver(generator, texts).RunGeneratorsAndUpdateCompilation(input, out Compilation output, out _);
        return new GeneratorResult(driver.GetRunResult(), output);
    }

    /// <summary>One model class <c>M</c> in namespace <c>Test</c> bound to <paramref name="specPath"/>.</summary>
    public static string ModelSource(string specPath, string className = "M") =>
        $$"""
        namespace Test;

        [LlamaGen.LlamaModel("{{specPath}}")]
        public partial class {{className}};
        """;
}

internal sealed record GeneratorResult(GeneratorDriverRunResult RunResult, Compilation Output)
{
    public ImmutableArray<Diagnostic> GeneratorDiagnostics => RunResult.Diagnostics;

    public IEnumerable<Diagnostic> GeneratorErrors => GeneratorDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error);

    public IEnumerable<Diagnostic> CompilationErrors => Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error);

    public Exception? Exception => RunResult.Results.Single().Exception;

    public IEnumerable<string> HintNames => RunResult.Results.Single().GeneratedSources.Select(s => s.HintName);
}
