using System.Reflection;
using LlamaGen.Generator.Helpers;
using LlamaGen.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace LlamaGen.Generator.Tests;

/// <summary>
/// Pipeline values are value-equatable: an unrelated edit leaves every step cached, and editing one spec re-emits
/// only the model that uses it.
/// </summary>
public sealed class CachingTests
{
    private static readonly string[] AllSteps = [TrackingNames.Targets, TrackingNames.SpecFiles, TrackingNames.Models, TrackingNames.Registry];

    private const string ModelsSource = """
        namespace Test;

        [LlamaGen.LlamaModel("specs/a.json")]
        public partial class A;

        [LlamaGen.LlamaModel("specs/b.json")]
        public partial class B;

        [LlamaGen.LlamaModel("specs/a.json")]
        public partial class SameSpecAsA;

        public static class Helper
        {
        }
        """;

    private static readonly InMemoryAdditionalText SpecA = new("/r/specs/a.json", SpecText.With(("name", "\"a\"")));
    private static readonly InMemoryAdditionalText SpecB = new("/r/specs/b.json", SpecText.With(("name", "\"b\"")));

    private static (CSharpCompilation Compilation, GeneratorDriver Driver) FirstRun()
    {
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(ModelsSource);
        GeneratorDriver driver = GeneratorHarness.CreateDriver(SpecA, SpecB).RunGenerators(compilation);
        GeneratorRunResult first = driver.GetRunResult().Results.Single();
        Assert.Null(first.Exception);
        Assert.Empty(first.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
        return (compilation, driver);
    }

    private static void AssertAllCachedOrUnchanged(GeneratorRunResult run)
    {
        foreach (string step in AllSteps)
        {
            var outputs = run.TrackedSteps[step].SelectMany(s => s.Outputs).ToList();
            Assert.NotEmpty(outputs);
            Assert.All(outputs, o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
                $"{step} output {Describe(o.Value)} was {o.Reason}"));
        }
    }

    private static string Describe(object value) => value switch
    {
        ModelResult { Target: { } target } => target.ClassName,
        SpecFile file => file.Path,
        _ => value.GetType().Name,
    };

    private static Dictionary<string, string> Sources(GeneratorRunResult run) =>
        run.GeneratedSources.ToDictionary(s => s.HintName, s => s.SourceText.ToString());

    [Fact]
    public void AnUnrelatedFileLeavesEveryStepCachedOrUnchanged()
    {
        var (compilation, driver) = FirstRun();
        var before = Sources(driver.GetRunResult().Results.Single());

        CSharpCompilation edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace Test; public static class Unrelated { }",
            (CSharpParseOptions)compilation.SyntaxTrees.First().Options, path: "Unrelated.cs"));
        GeneratorRunResult second = driver.RunGenerators(edited).GetRunResult().Results.Single();

        AssertAllCachedOrUnchanged(second);
        Assert.Equal(3, second.TrackedSteps[TrackingNames.Models].Length);
        Assert.Equal(before, Sources(second));
    }

    [Fact]
    public void AnEditBelowTheModelsInTheirOwnFileLeavesEveryStepCachedOrUnchanged()
    {
        // The models' file is re-parsed, so their targets are recomputed; equal values keep everything downstream cached.
        var (compilation, driver) = FirstRun();
        SyntaxTree tree = compilation.SyntaxTrees.Single();
        SyntaxTree editedTree = tree.WithChangedText(tree.GetText().Replace(ModelsSource.IndexOf("{\n}", StringComparison.Ordinal) + 2, 0,
            "    public static int Answer => 42;\n"));
        GeneratorRunResult second = driver.RunGenerators(compilation.ReplaceSyntaxTree(tree, editedTree)).GetRunResult().Results.Single();

        AssertAllCachedOrUnchanged(second);
    }

    [Fact]
    public void EditingOneSpecReemitsOnlyTheModelsThatUseIt()
    {
        var (compilation, driver) = FirstRun();
        var before = Sources(driver.GetRunResult().Results.Single());

        driver = driver.ReplaceAdditionalText(SpecB, new InMemoryAdditionalText(SpecB.Path, SpecText.With(("name", "\"b\""), ("context_length", "256"))));
        GeneratorRunResult second = driver.RunGenerators(compilation).GetRunResult().Results.Single();

        var models = second.TrackedSteps[TrackingNames.Models].SelectMany(s => s.Outputs)
            .ToDictionary(o => ((ModelResult)o.Value).Target!.ClassName, o => o.Reason);
        Assert.Equal(IncrementalStepRunReason.Modified, models["B"]);
        Assert.True(models["A"] is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"A was {models["A"]}");
        Assert.True(models["SameSpecAsA"] is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"SameSpecAsA was {models["SameSpecAsA"]}");

        var specFiles = second.TrackedSteps[TrackingNames.SpecFiles].SelectMany(s => s.Outputs).ToDictionary(o => ((SpecFile)o.Value).Path, o => o.Reason);
        Assert.Equal(IncrementalStepRunReason.Modified, specFiles[SpecB.Path]);
        Assert.True(specFiles[SpecA.Path] is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged);

        // The registry names classes, not shapes: it is not re-emitted for a spec edit.
        Assert.All(second.TrackedSteps[TrackingNames.Registry].SelectMany(s => s.Outputs),
            o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"Registry was {o.Reason}"));

        var after = Sources(second);
        Assert.Contains("ContextLength = 256;", after["Test.B.Shape.g.cs"]);
        Assert.All(before.Keys.Where(h => !h.StartsWith("Test.B.", StringComparison.Ordinal)), h => Assert.Equal(before[h], after[h]));
    }

    [Fact]
    public void RenamingAModelClassReemitsItAndTheRegistryOnly()
    {
        var (compilation, driver) = FirstRun();
        SyntaxTree tree = compilation.SyntaxTrees.Single();
        SyntaxTree editedTree = CSharpSyntaxTree.ParseText(ModelsSource.Replace("public partial class B;", "public partial class Renamed;"),
            (CSharpParseOptions)tree.Options, tree.FilePath);
        GeneratorRunResult second = driver.RunGenerators(compilation.ReplaceSyntaxTree(tree, editedTree)).GetRunResult().Results.Single();

        var models = second.TrackedSteps[TrackingNames.Models].SelectMany(s => s.Outputs)
            .ToDictionary(o => ((ModelResult)o.Value).Target!.ClassName, o => o.Reason);
        Assert.True(models["Renamed"] is IncrementalStepRunReason.Modified or IncrementalStepRunReason.New, $"Renamed was {models["Renamed"]}");
        Assert.True(models["A"] is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"A was {models["A"]}");
        Assert.Contains(second.TrackedSteps[TrackingNames.Registry].SelectMany(s => s.Outputs), o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.Contains(second.GeneratedSources, s => s.HintName == "Test.Renamed.Forward.g.cs");
        Assert.DoesNotContain(second.GeneratedSources, s => s.HintName.StartsWith("Test.B.", StringComparison.Ordinal));
    }

    [Fact]
    public void PipelineValuesHoldNoSymbolsSyntaxOrLocations()
    {
        // Roslyn objects compare by reference and pin whole compilations: one in a pipeline value defeats caching.
        Type[] forbidden = [typeof(ISymbol), typeof(SyntaxNode), typeof(SyntaxToken), typeof(SyntaxTree), typeof(Location),
            typeof(Compilation), typeof(SemanticModel), typeof(AttributeData), typeof(AdditionalText)];
        var seen = new HashSet<Type>();
        var pending = new Stack<Type>([typeof(ModelResult), typeof(SpecFile), typeof(ImmutableEquatableArray<ModelTarget>)]);
        while (pending.Count > 0)
        {
            Type type = pending.Pop();
            if (!seen.Add(type)) continue;
            Assert.DoesNotContain(forbidden, f => f.IsAssignableFrom(type));
            if (type.IsGenericType) foreach (Type argument in type.GetGenericArguments()) pending.Push(argument);
            if (type.IsArray) pending.Push(type.GetElementType()!);
            if (type.Assembly != typeof(LlamaModelGenerator).Assembly) continue;
            foreach (FieldInfo field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
                pending.Push(field.FieldType);
        }
        Assert.Contains(typeof(ModelSpec), seen);
        Assert.Contains(typeof(SourceLocation), seen);
    }
}
