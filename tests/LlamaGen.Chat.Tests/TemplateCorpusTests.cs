using LlamaGen.Chat.Tests.Corpus;
using LlamaGen.Chat.Tests.Oracle;

namespace LlamaGen.Chat.Tests;

/// <summary>
/// Hundreds of small templates, each exercising one feature of jinja2 (whitespace control, statements, operators,
/// printing, filters, tests, methods, errors), rendered by jinja2 and by us: zero differences allowed. This is what
/// makes the interpreter right on templates the fixtures do not contain.
/// </summary>
public sealed class TemplateCorpusTests
{
    [Fact]
    public void WhitespaceControlMatchesJinja2() =>
        OracleComparison.AssertNoDifferences([.. WhitespaceCorpus.Cases()], "whitespace control");

    [Fact]
    public void StatementsMatchJinja2() =>
        OracleComparison.AssertNoDifferences([.. StatementCorpus.Cases()], "statements");

    [Fact]
    public void ExpressionsAndPrintingMatchJinja2() =>
        OracleComparison.AssertNoDifferences([.. ExpressionCorpus.Cases()], "expressions and printing");

    [Fact]
    public void FiltersMatchJinja2() =>
        OracleComparison.AssertNoDifferences([.. FilterCorpus.Cases()], "filters");

    [Fact]
    public void TestsAndMethodsMatchJinja2() =>
        OracleComparison.AssertNoDifferences([.. TestAndMethodCorpus.Cases()], "tests and methods");

    [Fact]
    public void ScopingMatchesJinja2() =>
        OracleComparison.AssertNoDifferences([.. ScopingCorpus.Cases()], "scoping");

    [Fact]
    public void SandboxRefusalsMatchJinja2() =>
        OracleComparison.AssertNoDifferences([.. ErrorCorpus.SandboxCases()], "sandbox refusals");

    [Fact]
    public void SyntaxErrorsMatchJinja2WithLines() =>
        OracleComparison.AssertNoDifferences([.. ErrorCorpus.SyntaxCases()], "syntax errors");
}
