using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace LlamaGen.Generator.Tests;

/// <summary>Pipeline values are value-equatable: an unrelated edit leaves the model outputs cached.</summary>
public sealed class CachingTests
{
    [Fact]
    public void UnrelatedEditLeavesModelStepsCachedOrUnchanged()
    {
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(GeneratorHarness.ModelSource("specs/model.json"));
        GeneratorDriver driver = GeneratorHarness.CreateDriver(("/r/specs/model.json", SpecText.With())).RunGenerators(compilation);

        CSharpCompilation edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace Test; public static class Unrelated { }",
            (CSharpParseOptions)compilation.SyntaxTrees.First().Options));
        GeneratorRunResult second = driver.RunGenerators(edited).GetRunResult().Results.Single();

        foreach (string step in new[] { TrackingNames.Models, TrackingNames.Registry })
        {
            var outputs = second.TrackedSteps[step].SelectMany(s => s.Outputs).ToList();
            Assert.NotEmpty(outputs);
            Assert.All(outputs, o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
                $"{step} output was {o.Reason}"));
        }
    }

    [Fact]
    public void EditingTheSpecRegeneratesTheModel()
    {
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(GeneratorHarness.ModelSource("specs/model.json"));
        var original = new InMemoryAdditionalText("/r/specs/model.json", SpecText.With());
        GeneratorDriver driver = GeneratorHarness.CreateDriver(original).RunGenerators(compilation);

        driver = driver.ReplaceAdditionalText(original, new InMemoryAdditionalText("/r/specs/model.json", SpecText.With(("context_length", "256"))));
        GeneratorRunResult second = driver.RunGenerators(compilation).GetRunResult().Results.Single();

        Assert.Contains(second.TrackedSteps[TrackingNames.Models].SelectMany(s => s.Outputs), o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.Contains("ContextLength = 256;", second.GeneratedSources.Single(s => s.HintName == "Test.M.Shape.g.cs").SourceText.ToString());
    }
}
