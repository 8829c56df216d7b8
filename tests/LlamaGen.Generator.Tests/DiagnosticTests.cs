using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace LlamaGen.Generator.Tests;

/// <summary>
/// Each diagnostic: its id, its whole message (which says what to do) and its exact location: the JSON value, key or
/// character for spec problems, the attribute argument or class name for problems in C#.
/// </summary>
public sealed class DiagnosticTests
{
    private const string SpecPath = "/repo/specs/model.json";
    private const string Supported = "f32, f16, bf16, q8_0, q4_0, q4_1, q5_0, q5_1, q2_k, q3_k, q4_k, q5_k, q6_k";
    private const string IntMax = "2147483647";

    private static Diagnostic RunExpectingOne(string id, string spec, string? source = null)
    {
        GeneratorResult result = GeneratorHarness.Run(source ?? GeneratorHarness.ModelSource("specs/model.json"), (SpecPath, spec));
        Assert.Null(result.Exception);
        return Assert.Single(result.GeneratorDiagnostics, d => d.Id == id);
    }

    /// <summary>Asserts id, severity, message and that the location covers exactly <paramref name="fragment"/> in <paramref name="text"/>.</summary>
    private static void AssertDiagnostic(Diagnostic diagnostic, string id, string message, string path, string text, string fragment, int occurrence = 0)
    {
        int offset = -1;
        for (int i = 0; i <= occurrence; i++)
        {
            offset = text.IndexOf(fragment, offset + 1, StringComparison.Ordinal);
            Assert.True(offset >= 0, $"'{fragment}' (occurrence {occurrence}) is not in the text.");
        }
        AssertDiagnostic(diagnostic, id, message, path, text, new TextSpan(offset, fragment.Length));
    }

    private static void AssertDiagnostic(Diagnostic diagnostic, string id, string message, string path, string text, TextSpan span)
    {
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(message, diagnostic.GetMessage());
        Assert.Equal(DiagnosticDescriptors.ById(id).DefaultSeverity, diagnostic.Severity);
        FileLinePositionSpan location = diagnostic.Location.GetLineSpan();
        Assert.Equal(path, location.Path);
        Assert.Equal(SourceText.From(text).Lines.GetLinePositionSpan(span), location.Span);
    }

    /// <summary>The value of <paramref name="key"/> in a spec written one key per line.</summary>
    private static TextSpan ValueOf(string text, string key, string value)
    {
        string prefix = $"\"{key}\": ";
        int offset = text.IndexOf(prefix + value, StringComparison.Ordinal);
        Assert.True(offset >= 0, $"{prefix}{value} is not in the spec.");
        return new TextSpan(offset + prefix.Length, value.Length);
    }

    [Fact]
    public void EveryDiagnosticIdHasATestHere()
    {
        var tested = typeof(DiagnosticTests).GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Select(m => m.Name.Split('_')[0]).ToHashSet(StringComparer.Ordinal);
        var untested = DiagnosticDescriptors.All.Select(d => d.Id).Where(id => !tested.Contains(id)).ToList();
        Assert.True(untested.Count == 0, $"No test named for {string.Join(", ", untested)}.");
    }

    [Fact]
    public void ValidSpecReportsNoErrorsAndGeneratesCode()
    {
        GeneratorResult result = GeneratorHarness.Run(GeneratorHarness.ModelSource("specs/model.json"), (SpecPath, SpecText.With()));
        Assert.Empty(result.GeneratorErrors);
        Assert.Empty(result.CompilationErrors);
    }

    [Fact]
    public void LLG0001_SpecFileNotFound_PointsAtTheAttributeArgument()
    {
        string source = GeneratorHarness.ModelSource("specs/missing.json");
        Diagnostic d = RunExpectingOne("LLG0001", SpecText.With(), source);
        AssertDiagnostic(d, "LLG0001",
            "No additional file matches the spec path 'specs/missing.json'. Add the spec JSON to the project as " +
            "<AdditionalFiles Include=\"specs/missing.json\" /> (paths are matched by suffix).",
            "Source0.cs", source, "\"specs/missing.json\"");
    }

    [Fact]
    public void LLG0002_JsonSyntaxError_PointsAtTheBadCharacter()
    {
        string spec = SpecText.With(("block_count", "5 5"));
        Diagnostic d = RunExpectingOne("LLG0002", spec);
        int secondFive = spec.IndexOf("5 5", StringComparison.Ordinal) + 2;
        AssertDiagnostic(d, "LLG0002", "The model spec is not valid JSON: Expected ',' or '}' after a property value.",
            SpecPath, spec, new TextSpan(secondFive, 1));
    }

    [Fact]
    public void LLG0002_UnterminatedString_PointsAtItsOpeningQuote()
    {
        string spec = "{\n  \"name\": \"stories260k\n}\n";
        Diagnostic d = RunExpectingOne("LLG0002", spec);
        AssertDiagnostic(d, "LLG0002", "The model spec is not valid JSON: Control character in a string; escape it.",
            SpecPath, spec, new TextSpan(spec.IndexOf("k\n", StringComparison.Ordinal) + 1, 1));
    }

    [Fact]
    public void LLG0003_UnknownKey_PointsAtTheKey()
    {
        string spec = SpecText.With(("attention.head_count_kvv", "4"));
        Diagnostic d = RunExpectingOne("LLG0003", spec);
        AssertDiagnostic(d, "LLG0003",
            "Unknown key \"attention.head_count_kvv\" in the model spec. Known keys: name, architecture, embedding_length, block_count, " +
            "attention.head_count, attention.head_count_kv, attention.key_length, feed_forward_length, vocab_size, context_length, rope.freq_base, " +
            "attention.layer_norm_rms_epsilon, weight_types.",
            SpecPath, spec, "\"attention.head_count_kvv\"");
    }

    [Fact]
    public void LLG0004_MissingKey_PointsAtTheObjectThatLacksIt()
    {
        string spec = SpecText.With(("vocab_size", null));
        Diagnostic d = RunExpectingOne("LLG0004", spec);
        AssertDiagnostic(d, "LLG0004", "The model spec has no \"vocab_size\" key. Add it (the number of tokens in the vocabulary).",
            SpecPath, spec, "{");
    }

    [Theory]
    [InlineData("embedding_length", "\"64\"", "\"embedding_length\" must be a positive integer, but it is a string")]
    [InlineData("block_count", "5.5", "\"block_count\" must be a positive integer, but it is the non-integer 5.5")]
    [InlineData("attention.head_count", "true", "\"attention.head_count\" must be a positive integer, but it is a boolean")]
    [InlineData("rope.freq_base", "null", "\"rope.freq_base\" must be a positive number, but it is null")]
    [InlineData("name", "7", "\"name\" must be a string, but it is a number")]
    [InlineData("weight_types", "\"q4_0\"", "\"weight_types\" must be an array of type names, but it is a string")]
    public void LLG0005_WrongType_PointsAtTheValue(string key, string value, string message)
    {
        string spec = SpecText.With((key, value));
        Diagnostic d = RunExpectingOne("LLG0005", spec);
        AssertDiagnostic(d, "LLG0005", message, SpecPath, spec, ValueOf(spec, key, value));
    }

    [Fact]
    public void LLG0005_WeightTypeThatIsNotAString_PointsAtTheItem()
    {
        string spec = SpecText.With(("weight_types", "[\"f32\", 8]"));
        Diagnostic d = RunExpectingOne("LLG0005", spec);
        AssertDiagnostic(d, "LLG0005", "\"weight_types[]\" must be a type name string, but it is a number", SpecPath, spec,
            new TextSpan(spec.IndexOf("8]", StringComparison.Ordinal), 1));
    }

    [Fact]
    public void LLG0005_DocumentThatIsNotAnObject_PointsAtIt()
    {
        const string spec = "[1, 2]";
        Diagnostic d = RunExpectingOne("LLG0005", spec);
        AssertDiagnostic(d, "LLG0005", "\"(spec)\" must be an object of model hyperparameters, but it is an array", SpecPath, spec, spec);
    }

    [Theory]
    [InlineData("block_count", "0", "\"block_count\" is 0; it must be between 1 and " + IntMax + ".")]
    [InlineData("context_length", "-4", "\"context_length\" is -4; it must be between 1 and " + IntMax + ".")]
    [InlineData("vocab_size", "3000000000", "\"vocab_size\" is 3000000000; it must be between 1 and " + IntMax + ".")]
    [InlineData("architecture", "\"gpt2\"", "\"architecture\" is \"gpt2\"; only \"llama\" is supported. Set \"architecture\": \"llama\".")]
    [InlineData("name", "\" \"", "\"name\" is empty; give it a non-empty value.")]
    [InlineData("rope.freq_base", "0", "\"rope.freq_base\" is 0; it must be a positive number that fits a float.")]
    [InlineData("attention.layer_norm_rms_epsilon", "-1e-5", "\"attention.layer_norm_rms_epsilon\" is -1e-5; it must be a positive number that fits a float.")]
    [InlineData("weight_types", "[]", "\"weight_types\" is empty; list at least one of " + Supported + ".")]
    [InlineData("embedding_length", "65536",
        "\"embedding_length\" is 65536; a 65536 x 65536 attention matrix has more than " + IntMax + " elements. Use a smaller embedding_length.")]
    [InlineData("feed_forward_length", "40000000",
        "\"feed_forward_length\" is 40000000; a 40000000 x 64 matrix has more than " + IntMax + " elements. Use smaller dimensions.")]
    [InlineData("vocab_size", "40000000",
        "\"vocab_size\" is 40000000; a 40000000 x 64 embedding table has more than " + IntMax + " elements. Use a smaller vocabulary.")]
    public void LLG0006_InvalidValue_PointsAtTheValue(string key, string value, string message)
    {
        string spec = SpecText.With((key, value));
        Diagnostic d = RunExpectingOne("LLG0006", spec);
        AssertDiagnostic(d, "LLG0006", message, SpecPath, spec, ValueOf(spec, key, value));
    }

    [Fact]
    public void LLG0006_AttentionScoresThatOverflowAnInt_PointAtTheContextLength()
    {
        // 64 heads of 2 dimensions sharing one KV head: the KV cache (1 x 40M x 2) fits, the scores (64 x 40M) do not.
        string spec = SpecText.With(("embedding_length", "128"), ("block_count", "1"), ("attention.head_count", "64"),
            ("attention.head_count_kv", "1"), ("context_length", "40000000"));
        Diagnostic d = RunExpectingOne("LLG0006", spec);
        AssertDiagnostic(d, "LLG0006",
            "\"context_length\" is 40000000; the attention scores of 64 heads x 40000000 positions are more than " + IntMax + " values. Lower context_length.",
            SpecPath, spec, ValueOf(spec, "context_length", "40000000"));
    }

    [Fact]
    public void LLG0006_WeightTypeListedTwice_PointsAtTheSecond()
    {
        string spec = SpecText.With(("weight_types", "[\"f32\", \"f32\"]"));
        Diagnostic d = RunExpectingOne("LLG0006", spec);
        AssertDiagnostic(d, "LLG0006", "\"weight_types\" is listing \"f32\" twice; list each type once.", SpecPath, spec, "\"f32\"", occurrence: 1);
    }

    [Fact]
    public void LLG0007_HeadCountMustDivideEmbedding()
    {
        string spec = SpecText.With(("attention.head_count", "6"), ("attention.head_count_kv", "6"));
        Diagnostic d = RunExpectingOne("LLG0007", spec);
        AssertDiagnostic(d, "LLG0007",
            "attention.head_count 6 does not divide embedding_length 64; every head needs the same whole number of dimensions. " +
            "Use a head count that divides 64.",
            SpecPath, spec, ValueOf(spec, "attention.head_count", "6"));
    }

    [Fact]
    public void LLG0008_KvHeadsMustDivideHeads()
    {
        string spec = SpecText.With(("attention.head_count_kv", "3"));
        Diagnostic d = RunExpectingOne("LLG0008", spec);
        AssertDiagnostic(d, "LLG0008",
            "attention.head_count_kv 3 does not divide attention.head_count 8; grouped-query attention shares each KV head with the " +
            "same number of query heads. Use a KV head count that divides 8.",
            SpecPath, spec, ValueOf(spec, "attention.head_count_kv", "3"));
    }

    [Fact]
    public void LLG0009_HeadDimensionMustBeEven()
    {
        // 64 / 64 = 1 dimension per head: nothing to rotate in pairs.
        string spec = SpecText.With(("attention.head_count", "64"), ("attention.head_count_kv", "64"));
        Diagnostic d = RunExpectingOne("LLG0009", spec);
        AssertDiagnostic(d, "LLG0009",
            "The head dimension embedding_length / attention.head_count = 1 is odd; rotary position embedding rotates pairs of " +
            "dimensions. Choose sizes that give an even head dimension.",
            SpecPath, spec, ValueOf(spec, "attention.head_count", "64"));
    }

    [Fact]
    public void LLG0006_StatedHeadSizeMustBeEven()
    {
        string spec = SpecText.With(("attention.key_length", "7"));
        Diagnostic d = RunExpectingOne("LLG0006", spec);
        AssertDiagnostic(d, "LLG0006",
            "\"attention.key_length\" is 7; rotary position embedding rotates pairs of dimensions. Use an even head size.",
            SpecPath, spec, ValueOf(spec, "attention.key_length", "7"));
    }

    [Fact]
    public void AStatedHeadSizeNeedNotDivideTheEmbedding()
    {
        // 64 / 6 is no head size, but six heads of 32 are (attn_q 192 x 64): no LLG0007.
        string spec = SpecText.With(("attention.head_count", "6"), ("attention.head_count_kv", "2"), ("attention.key_length", "32"));
        GeneratorResult result = GeneratorHarness.Run(GeneratorHarness.ModelSource("specs/model.json"), (SpecPath, spec));
        Assert.Null(result.Exception);
        Assert.DoesNotContain(result.GeneratorDiagnostics, d => d.Severity == DiagnosticSeverity.Error);
        Assert.DoesNotContain(result.Output.GetDiagnostics(), d => d.Severity == DiagnosticSeverity.Error);
    }

    [Fact]
    public void LLG0010_KnownButUnsupportedWeightType()
    {
        // Q8_1 is a ggml type for activations (llama.cpp's partner of Q4_1/Q5_1), not one weights are stored in.
        string spec = SpecText.With(("weight_types", "[\"f32\", \"q8_1\"]"));
        Diagnostic d = RunExpectingOne("LLG0010", spec);
        AssertDiagnostic(d, "LLG0010",
            $"Weight type \"q8_1\" is a known ggml type but LlamaGen has no kernels for it yet. Remove it from weight_types (supported: {Supported}).",
            SpecPath, spec, "\"q8_1\"");
    }

    [Fact]
    public void LLG0011_UnknownWeightType()
    {
        string spec = SpecText.With(("weight_types", "[\"f32\", \"q9_9\"]"));
        Diagnostic d = RunExpectingOne("LLG0011", spec);
        AssertDiagnostic(d, "LLG0011", $"\"q9_9\" is not a ggml weight type. Use one of: {Supported}.", SpecPath, spec, "\"q9_9\"");
    }

    [Fact]
    public void LLG0012_KvCacheOverflow()
    {
        // 5 blocks x 20,000,000 positions x 32 = 3.2e9 > int.MaxValue.
        string spec = SpecText.With(("context_length", "20000000"));
        Diagnostic d = RunExpectingOne("LLG0012", spec);
        AssertDiagnostic(d, "LLG0012",
            $"block_count 5 x context_length 20000000 x KV dimension 32 = 3200000000 values per cache, more than {IntMax}. Lower context_length.",
            SpecPath, spec, ValueOf(spec, "context_length", "20000000"));
    }

    [Fact]
    public void LLG0013_ClassMustBePartial()
    {
        const string source = """
            namespace Test;

            [LlamaGen.LlamaModel("specs/model.json")]
            public class NotPartial { }
            """;
        Diagnostic d = RunExpectingOne("LLG0013", SpecText.With(), source);
        AssertDiagnostic(d, "LLG0013",
            "'NotPartial' carries [LlamaModel] (or contains such a class) but is not partial. Declare it 'partial' so the generator can add the model's members.",
            "Source0.cs", source, "NotPartial");
    }

    [Fact]
    public void LLG0013_EnclosingTypeMustBePartial()
    {
        const string source = """
            namespace Test;

            public class Holder
            {
                [LlamaGen.LlamaModel("specs/model.json")]
                public partial class Inner;
            }
            """;
        Diagnostic d = RunExpectingOne("LLG0013", SpecText.With(), source);
        AssertDiagnostic(d, "LLG0013",
            "'Holder' carries [LlamaModel] (or contains such a class) but is not partial. Declare it 'partial' so the generator can add the model's members.",
            "Source0.cs", source, "Inner");
    }

    [Fact]
    public void LLG0014_ClassNestedInGenericType()
    {
        const string source = """
            namespace Test;

            public partial class Holder<T>
            {
                [LlamaGen.LlamaModel("specs/model.json")]
                public partial class Inner;
            }
            """;
        Diagnostic d = RunExpectingOne("LLG0014", SpecText.With(), source);
        AssertDiagnostic(d, "LLG0014",
            "'Inner' is nested in the generic type 'Holder'. Model classes have a fixed shape and cannot depend on type parameters; move it out of 'Holder'.",
            "Source0.cs", source, "Inner");
    }

    [Fact]
    public void LLG0015_DuplicateKey_PointsAtTheSecondOccurrence()
    {
        string spec = SpecText.With().Replace("  \"vocab_size\": 512,", "  \"vocab_size\": 512,\n  \"vocab_size\": 513,");
        Diagnostic d = RunExpectingOne("LLG0015", spec);
        AssertDiagnostic(d, "LLG0015", "The key \"vocab_size\" appears more than once in the model spec. Keep one.", SpecPath, spec, "\"vocab_size\"", occurrence: 1);
    }

    [Fact]
    public void LLG0016_AFailureWhileEmittingIsReportedNotThrown()
    {
        string source = """
            namespace Test;

            [LlamaGen.LlamaModel("specs/model.json")]
            public partial class M;

            [LlamaGen.LlamaModel("specs/other.json")]
            public partial class Other;
            """;
        var failing = new LlamaModelGenerator(spec =>
        {
            if (spec.Name == "stories260k") throw new InvalidOperationException("emitter bug");
        });
        GeneratorResult result = GeneratorHarness.Run(failing, source, (SpecPath, SpecText.With()),
            ("/repo/specs/other.json", SpecText.With(("name", "\"other\""))));

        Assert.Null(result.Exception);
        Diagnostic d = Assert.Single(result.GeneratorDiagnostics, x => x.Id == "LLG0016");
        AssertDiagnostic(d, "LLG0016",
            "The LlamaGen generator failed on 'M': InvalidOperationException: emitter bug. Please report this with the spec file.",
            "Source0.cs", source, "\"specs/model.json\"");
        // Nothing half-done for the failed model; the other model is unaffected.
        Assert.DoesNotContain(result.HintNames, h => h.StartsWith("Test.M.", StringComparison.Ordinal));
        Assert.Contains("Test.Other.Forward.g.cs", result.HintNames);
    }

    [Fact]
    public void LLG0017_TypeThatCannotStoreAMatrix_IsInformational()
    {
        // stories260K: ffn_down rows have 172 elements, not whole 32-element Q8_0/Q4_0 blocks.
        string spec = SpecText.With();
        GeneratorResult result = GeneratorHarness.Run(GeneratorHarness.ModelSource("specs/model.json"), (SpecPath, spec));
        var infos = result.GeneratorDiagnostics.Where(d => d.Id == "LLG0017").OrderBy(d => d.GetMessage(), StringComparer.Ordinal).ToList();
        Assert.Equal(2, infos.Count);
        TextSpan weightTypes = ValueOf(spec, "weight_types", SpecText.Stories260K.Single(e => e.Key == "weight_types").Value);
        foreach (var (d, type) in infos.Zip(new[] { "q4_0", "q8_0" }))
        {
            AssertDiagnostic(d, "LLG0017",
                $"Weight type \"{type}\" cannot be used for ffn_down (64 x 172): its rows have 172 elements, not a multiple of the 32-element block. " +
                "A GGUF file must store that matrix in another listed type.",
                SpecPath, spec, weightTypes);
        }
        Assert.Empty(result.GeneratorErrors);
    }

    [Fact]
    public void LLG0018_NoTypeCanStoreAMatrix()
    {
        string spec = SpecText.With(("weight_types", "[\"q4_0\"]"));
        Diagnostic d = RunExpectingOne("LLG0018", spec);
        AssertDiagnostic(d, "LLG0018",
            "None of the weight_types can store ffn_down (64 x 172) (172 elements per row). Add a type whose block size divides 172, such as \"f16\" or \"f32\".",
            SpecPath, spec, ValueOf(spec, "weight_types", "[\"q4_0\"]"));
    }

    [Fact]
    public void LLG0019_TwoAttributesOnOneClass()
    {
        const string source = """
            namespace Test;

            [LlamaGen.LlamaModel("specs/model.json")]
            [LlamaGen.LlamaModel("specs/other.json")]
            public partial class M;
            """;
        GeneratorResult result = GeneratorHarness.Run(source, (SpecPath, SpecText.With()), ("/repo/specs/other.json", SpecText.With()));

        Assert.Null(result.Exception);
        Diagnostic d = Assert.Single(result.GeneratorDiagnostics);
        AssertDiagnostic(d, "LLG0019",
            "'M' has more than one [LlamaModel] attribute (\"specs/model.json\", \"specs/other.json\"). A class is one fixed-shape model: " +
            "keep one attribute and declare another partial class for each further spec.",
            "Source0.cs", source, "LlamaGen.LlamaModel(\"specs/other.json\")");
        // What the user sees: C#'s own CS0579 on the same attribute, and no generated members for either spec.
        Diagnostic compiler = Assert.Single(result.CompilationErrors);
        Assert.Equal("CS0579", compiler.Id);
        Assert.Equal(d.Location.SourceSpan.Start, compiler.Location.SourceSpan.Start);
        Assert.DoesNotContain(result.HintNames, h => h.StartsWith("Test.M.", StringComparison.Ordinal));
    }

    [Fact]
    public void LLG0019_AttributesOnTwoPartialDeclarationsAreReportedOnce()
    {
        const string source = """
            namespace Test;

            [LlamaGen.LlamaModel("specs/model.json")]
            public partial class M;

            [LlamaGen.LlamaModel("specs/other.json")]
            public partial class M;
            """;
        GeneratorResult result = GeneratorHarness.Run(source, (SpecPath, SpecText.With()), ("/repo/specs/other.json", SpecText.With()));

        Assert.Null(result.Exception);
        Diagnostic d = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal("LLG0019", d.Id);
        Assert.Equal(source.IndexOf("LlamaGen.LlamaModel(\"specs/other.json\")", StringComparison.Ordinal), d.Location.SourceSpan.Start);
        Assert.Empty(result.HintNames);
    }

    [Theory]
    [InlineData("\"\"")]
    [InlineData("\"   \"")]
    [InlineData("null")]
    public void LLG0020_EmptySpecPath_PointsAtTheArgument(string argument)
    {
        string source = $$"""
            namespace Test;

            [LlamaGen.LlamaModel({{argument}})]
            public partial class M;
            """;
        Diagnostic d = RunExpectingOne("LLG0020", SpecText.With(), source);
        AssertDiagnostic(d, "LLG0020",
            "The [LlamaModel] attribute on 'M' names no spec file. Pass the spec JSON's path, e.g. [LlamaModel(\"specs/llama2-7b.json\")], " +
            "and list the file in AdditionalFiles.",
            "Source0.cs", source, argument);
    }

    [Fact]
    public void AnAttributeCSharpCannotBindIsLeftToTheCompiler()
    {
        const string source = """
            namespace Test;

            [LlamaGen.LlamaModel]
            public partial class M;
            """;
        GeneratorResult result = GeneratorHarness.Run(source, (SpecPath, SpecText.With()));
        Assert.Null(result.Exception);
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.Contains(result.CompilationErrors, d => d.Id == "CS7036");
    }

    [Theory]
    [InlineData("public partial class M<T>", "a generic class")]
    [InlineData("public static partial class M", "a static class")]
    [InlineData("public abstract partial class M", "an abstract class")]
    [InlineData("public partial record M", "a record")]
    public void LLG0021_ClassThatCannotBeAModel(string declaration, string what)
    {
        string source = $$"""
            namespace Test;

            [LlamaGen.LlamaModel("specs/model.json")]
            {{declaration}};
            """;
        Diagnostic d = RunExpectingOne("LLG0021", SpecText.With(), source);
        AssertDiagnostic(d, "LLG0021",
            $"'M' is {what}, but the generated model is a concrete, non-generic class that Load instantiates. Declare it as 'partial class M'.",
            "Source0.cs", source, "M", occurrence: source.Count(c => c == 'M') - 1);
    }

    [Fact]
    public void ErrorsStopGenerationForThatModelOnly()
    {
        const string source = """
            namespace Test;

            [LlamaGen.LlamaModel("specs/bad.json")]
            public partial class Bad;

            [LlamaGen.LlamaModel("specs/good.json")]
            public partial class Good;
            """;
        GeneratorResult result = GeneratorHarness.Run(source,
            ("/r/specs/bad.json", SpecText.With(("block_count", "-1"))),
            ("/r/specs/good.json", SpecText.With()));
        Assert.Single(result.GeneratorErrors);
        Assert.DoesNotContain(result.HintNames, h => h.StartsWith("Test.Bad.", StringComparison.Ordinal));
        Assert.Contains("Test.Good.Forward.g.cs", result.HintNames);
    }
}
