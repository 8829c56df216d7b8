using Microsoft.CodeAnalysis;

namespace LlamaGen.Generator.Tests;

/// <summary>Each diagnostic: its id, a message that names the problem, and a location on the offending text.</summary>
public sealed class DiagnosticTests
{
    private const string SpecPath = "/repo/specs/model.json";

    private static Diagnostic RunExpectingOne(string id, string spec, string? source = null)
    {
        GeneratorResult result = GeneratorHarness.Run(source ?? GeneratorHarness.ModelSource("specs/model.json"), (SpecPath, spec));
        Assert.Null(result.Exception);
        Diagnostic diagnostic = Assert.Single(result.GeneratorDiagnostics, d => d.Id == id);
        return diagnostic;
    }

    private static void AssertAt(Diagnostic diagnostic, string text, string fragment)
    {
        FileLinePositionSpan span = diagnostic.Location.GetLineSpan();
        Assert.Equal(SpecPath, span.Path);
        Assert.Equal(SpecText.LineOf(text, fragment), span.StartLinePosition.Line);
        Assert.Equal(SpecText.ColumnOf(text, fragment), span.StartLinePosition.Character);
    }

    /// <summary>The diagnostic starts at the value of <paramref name="key"/>.</summary>
    private static void AssertAtValueOf(Diagnostic diagnostic, string text, string key)
    {
        string prefix = $"\"{key}\": ";
        FileLinePositionSpan span = diagnostic.Location.GetLineSpan();
        Assert.Equal(SpecPath, span.Path);
        Assert.Equal(SpecText.LineOf(text, prefix), span.StartLinePosition.Line);
        Assert.Equal(SpecText.ColumnOf(text, prefix) + prefix.Length, span.StartLinePosition.Character);
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
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
        Assert.Contains("specs/missing.json", d.GetMessage());
        Assert.Contains("AdditionalFiles", d.GetMessage());
        FileLinePositionSpan span = d.Location.GetLineSpan();
        Assert.Equal("Source0.cs", span.Path);
        Assert.Equal(SpecText.LineOf(source, "\"specs/missing.json\""), span.StartLinePosition.Line);
        Assert.Equal(SpecText.ColumnOf(source, "\"specs/missing.json\""), span.StartLinePosition.Character);
    }

    [Fact]
    public void LLG0002_JsonSyntaxError_PointsAtTheBadCharacter()
    {
        string spec = SpecText.With(("block_count", "5 5"));
        Diagnostic d = RunExpectingOne("LLG0002", spec);
        Assert.Contains("Expected ',' or '}'", d.GetMessage());
        FileLinePositionSpan span = d.Location.GetLineSpan();
        Assert.Equal(SpecText.LineOf(spec, "5 5"), span.StartLinePosition.Line);
        Assert.Equal(SpecText.ColumnOf(spec, "5 5") + 2, span.StartLinePosition.Character);
    }

    [Fact]
    public void LLG0003_UnknownKey_PointsAtTheKey()
    {
        string spec = SpecText.With(("attention.head_count_kvv", "4"));
        Diagnostic d = RunExpectingOne("LLG0003", spec);
        Assert.Contains("attention.head_count_kvv", d.GetMessage());
        AssertAt(d, spec, "\"attention.head_count_kvv\"");
    }

    [Fact]
    public void LLG0004_MissingKey_NamesTheKey()
    {
        string spec = SpecText.With(("vocab_size", null));
        Diagnostic d = RunExpectingOne("LLG0004", spec);
        Assert.Contains("\"vocab_size\"", d.GetMessage());
        AssertAt(d, spec, "{");
    }

    [Fact]
    public void LLG0005_WrongType_PointsAtTheValue()
    {
        string spec = SpecText.With(("embedding_length", "\"64\""));
        Diagnostic d = RunExpectingOne("LLG0005", spec);
        Assert.Contains("\"embedding_length\" must be a positive integer, but it is a string", d.GetMessage());
        AssertAtValueOf(d, spec, "embedding_length");
    }

    [Fact]
    public void LLG0005_NonIntegerDimension_IsReported()
    {
        string spec = SpecText.With(("block_count", "5.5"));
        Diagnostic d = RunExpectingOne("LLG0005", spec);
        Assert.Contains("5.5", d.GetMessage());
        AssertAtValueOf(d, spec, "block_count");
    }

    [Theory]
    [InlineData("block_count", "0")]
    [InlineData("context_length", "-4")]
    [InlineData("architecture", "\"gpt2\"")]
    [InlineData("rope.freq_base", "0")]
    public void LLG0006_InvalidValue_PointsAtTheValue(string key, string value)
    {
        string spec = SpecText.With((key, value));
        Diagnostic d = RunExpectingOne("LLG0006", spec);
        Assert.Contains(key, d.GetMessage());
        AssertAtValueOf(d, spec, key);
    }

    [Fact]
    public void LLG0007_HeadCountMustDivideEmbedding()
    {
        string spec = SpecText.With(("attention.head_count", "6"), ("attention.head_count_kv", "6"));
        Diagnostic d = RunExpectingOne("LLG0007", spec);
        Assert.Contains("attention.head_count 6 does not divide embedding_length 64", d.GetMessage());
        AssertAtValueOf(d, spec, "attention.head_count");
    }

    [Fact]
    public void LLG0008_KvHeadsMustDivideHeads()
    {
        string spec = SpecText.With(("attention.head_count_kv", "3"));
        Diagnostic d = RunExpectingOne("LLG0008", spec);
        Assert.Contains("attention.head_count_kv 3 does not divide attention.head_count 8", d.GetMessage());
        AssertAtValueOf(d, spec, "attention.head_count_kv");
    }

    [Fact]
    public void LLG0009_HeadDimensionMustBeEven()
    {
        // 64 / 64 = 1 dimension per head: nothing to rotate in pairs.
        string spec = SpecText.With(("attention.head_count", "64"), ("attention.head_count_kv", "64"));
        Diagnostic d = RunExpectingOne("LLG0009", spec);
        Assert.Contains("= 1 is odd", d.GetMessage());
        AssertAtValueOf(d, spec, "attention.head_count");
    }

    [Fact]
    public void LLG0010_KnownButUnsupportedWeightType()
    {
        string spec = SpecText.With(("weight_types", "[\"f32\", \"q4_k\"]"));
        Diagnostic d = RunExpectingOne("LLG0010", spec);
        Assert.Contains("\"q4_k\"", d.GetMessage());
        Assert.Contains("no kernels for it yet", d.GetMessage());
        AssertAt(d, spec, "\"q4_k\"");
    }

    [Fact]
    public void LLG0011_UnknownWeightType()
    {
        string spec = SpecText.With(("weight_types", "[\"f32\", \"q9_9\"]"));
        Diagnostic d = RunExpectingOne("LLG0011", spec);
        Assert.Contains("\"q9_9\" is not a ggml weight type", d.GetMessage());
        AssertAt(d, spec, "\"q9_9\"");
    }

    [Fact]
    public void LLG0012_KvCacheOverflow()
    {
        // 5 blocks x 20,000,000 positions x 32 = 3.2e9 > int.MaxValue.
        string spec = SpecText.With(("context_length", "20000000"));
        Diagnostic d = RunExpectingOne("LLG0012", spec);
        Assert.Contains("3200000000", d.GetMessage());
        AssertAtValueOf(d, spec, "context_length");
    }

    [Fact]
    public void LLG0013_ClassMustBePartial()
    {
        string source = """
            namespace Test;

            [LlamaGen.LlamaModel("specs/model.json")]
            public class NotPartial { }
            """;
        Diagnostic d = RunExpectingOne("LLG0013", SpecText.With(), source);
        Assert.Contains("'NotPartial'", d.GetMessage());
        FileLinePositionSpan span = d.Location.GetLineSpan();
        Assert.Equal("Source0.cs", span.Path);
        Assert.Equal(SpecText.LineOf(source, "NotPartial"), span.StartLinePosition.Line);
        Assert.Equal(SpecText.ColumnOf(source, "NotPartial"), span.StartLinePosition.Character);
    }

    [Fact]
    public void LLG0013_EnclosingTypeMustBePartial()
    {
        string source = """
            namespace Test;

            public class Holder
            {
                [LlamaGen.LlamaModel("specs/model.json")]
                public partial class Inner;
            }
            """;
        Diagnostic d = RunExpectingOne("LLG0013", SpecText.With(), source);
        Assert.Contains("'Holder'", d.GetMessage());
    }

    [Fact]
    public void LLG0014_ClassNestedInGenericType()
    {
        string source = """
            namespace Test;

            public partial class Holder<T>
            {
                [LlamaGen.LlamaModel("specs/model.json")]
                public partial class Inner;
            }
            """;
        Diagnostic d = RunExpectingOne("LLG0014", SpecText.With(), source);
        Assert.Contains("'Inner' is nested in the generic type 'Holder'", d.GetMessage());
        Assert.Equal(SpecText.LineOf(source, "Inner"), d.Location.GetLineSpan().StartLinePosition.Line);
    }

    [Fact]
    public void LLG0015_DuplicateKey_PointsAtTheSecondOccurrence()
    {
        string spec = SpecText.With().Replace("  \"vocab_size\": 512,", "  \"vocab_size\": 512,\n  \"vocab_size\": 513,");
        Diagnostic d = RunExpectingOne("LLG0015", spec);
        Assert.Contains("\"vocab_size\"", d.GetMessage());
        AssertAt(d, spec, "\"vocab_size\": 513");
    }

    [Fact]
    public void LLG0017_TypeThatCannotStoreAMatrix_IsInformational()
    {
        // stories260K: ffn_down rows have 172 elements, not whole 32-element Q8_0/Q4_0 blocks.
        string spec = SpecText.With();
        GeneratorResult result = GeneratorHarness.Run(GeneratorHarness.ModelSource("specs/model.json"), (SpecPath, spec));
        var infos = result.GeneratorDiagnostics.Where(d => d.Id == "LLG0017").ToList();
        Assert.Equal(2, infos.Count);
        Assert.All(infos, d => Assert.Equal(DiagnosticSeverity.Info, d.Severity));
        Assert.Contains(infos, d => d.GetMessage().Contains("\"q4_0\" cannot be used for ffn_down (64 x 172)"));
        Assert.Contains(infos, d => d.GetMessage().Contains("\"q8_0\" cannot be used for ffn_down (64 x 172)"));
        Assert.Empty(result.GeneratorErrors);
    }

    [Fact]
    public void LLG0018_NoTypeCanStoreAMatrix()
    {
        string spec = SpecText.With(("weight_types", "[\"q4_0\"]"));
        Diagnostic d = RunExpectingOne("LLG0018", spec);
        Assert.Contains("ffn_down (64 x 172)", d.GetMessage());
        AssertAtValueOf(d, spec, "weight_types");
    }

    [Fact]
    public void ErrorsStopGenerationForThatModelOnly()
    {
        string source = """
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
