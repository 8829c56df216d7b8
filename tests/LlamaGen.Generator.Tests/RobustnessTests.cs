using Microsoft.CodeAnalysis;

namespace LlamaGen.Generator.Tests;

/// <summary>Garbage in the spec becomes diagnostics, never a generator exception or uncompilable output.</summary>
public sealed class RobustnessTests
{
    public static TheoryData<int> Seeds() => new(Enumerable.Range(1, 24));

    [Theory]
    [MemberData(nameof(Seeds))]
    public void RandomMutationsOfAValidSpecNeverCrashTheGenerator(int seed)
    {
        var random = new Random(seed);
        char[] alphabet = "{}[]\":,.-+eE0123456789 \n\\tfnul_aq".ToCharArray();
        var text = new System.Text.StringBuilder(SpecText.With());
        int edits = random.Next(1, 4);
        for (int i = 0; i < edits; i++)
        {
            int at = random.Next(text.Length);
            switch (random.Next(3))
            {
                case 0: text.Remove(at, 1); break;
                case 1: text.Insert(at, alphabet[random.Next(alphabet.Length)]); break;
                default: text[at] = alphabet[random.Next(alphabet.Length)]; break;
            }
        }

        GeneratorResult result = GeneratorHarness.Run(GeneratorHarness.ModelSource("specs/model.json"), ("/r/specs/model.json", text.ToString()));

        Assert.Null(result.Exception);
        Assert.DoesNotContain(result.GeneratorDiagnostics, d => d.Id == "LLG0016");
        // Either the mutation was reported, or the spec is still valid and its code compiles.
        if (!result.GeneratorErrors.Any())
            Assert.Empty(result.CompilationErrors);
        else
            Assert.All(result.GeneratorErrors, d => Assert.NotEqual(Location.None, d.Location));
    }

    [Theory]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("[1, 2, 3]")]
    [InlineData("{\"name\": \"\\uZZZZ\"}")]
    [InlineData("{\"weight_types\": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]}")]
    [InlineData("{\"embedding_length\": 1e400}")]
    [InlineData("\uFEFF{")]
    public void MalformedDocumentsAreReported(string spec)
    {
        GeneratorResult result = GeneratorHarness.Run(GeneratorHarness.ModelSource("specs/model.json"), ("/r/specs/model.json", spec));
        Assert.Null(result.Exception);
        Assert.NotEmpty(result.GeneratorErrors);
        Assert.DoesNotContain(result.GeneratorDiagnostics, d => d.Id == "LLG0016");
    }
}
