using System.Text;
using System.Text.Json.Nodes;

namespace LlamaGen.Chat.Tests.Oracle;

/// <summary>
/// Renders cases with jinja2 and with <see cref="ChatTemplate"/> and lists every difference: the outputs byte for byte, or
/// for a failure the exception class, its message (<see cref="ChatTemplateException.Description"/>) and, for a syntax
/// error, the line. Both sides read the same JSON text, so numbers keep the same int/float type on both.
/// </summary>
public static class OracleComparison
{
    public sealed record Difference(OracleCase Case, string Expected, string Actual);

    public static List<Difference> Compare(IReadOnlyList<OracleCase> cases, bool compareErrorLines = true) =>
        Compare(cases, compareErrorLines, out _);

    public static List<Difference> Compare(IReadOnlyList<OracleCase> cases, bool compareErrorLines, out IReadOnlyList<OracleResult> expected)
    {
        expected = Jinja2Oracle.Render(cases).Select(WithoutAddresses).ToList();
        var differences = new List<Difference>();
        for (int i = 0; i < cases.Count; i++)
        {
            OracleCase c = cases[i];
            OracleResult want = expected[i];
            string actual = Describe(RenderOurs(c), out ChatTemplateException? error, out string? output);
            string wanted = want.Ok ? "output " + Quote(want.Output!) : $"{want.Type}: {want.Message}" + (IsSyntax(want.Type) && compareErrorLines ? $" (line {want.Line})" : "");
            bool same = want.Ok
                ? output == want.Output
                : error is not null && (error.PythonExceptionType == want.Type && error.Description == want.Message &&
                  (!IsSyntax(want.Type) || !compareErrorLines || error.Line == want.Line) || IsSameRecursion(want, error));
            if (!same)
                differences.Add(new Difference(c, wanted, actual + (error is not null && IsSyntax(want.Type) ? $" (line {error.Line})" : "")));
        }
        return differences;
    }

    // Python prints objects as "<... at 0x7f...>"; the address is not the template's doing, so it is left out.
    private static OracleResult WithoutAddresses(OracleResult result) =>
        result.Output is null ? result : result with { Output = System.Text.RegularExpressions.Regex.Replace(result.Output, " at 0x[0-9a-f]+>", ">") };

    // Endless recursion: Python stops at its recursion limit, we at ChatTemplateLimits.MaxDepth. The same failure.
    private static bool IsSameRecursion(OracleResult want, ChatTemplateException error) =>
        want.Type == "RecursionError" && error.Kind == ChatTemplateErrorKind.LimitExceeded && error.Description.Contains("nest deeper than", StringComparison.Ordinal);

    private static bool IsSyntax(string? type) => type is "TemplateSyntaxError" or "TemplateAssertionError";

    private static object RenderOurs(OracleCase c)
    {
        try
        {
            // Re-read the JSON text the oracle got, so both sides see the same numbers.
            JsonObject variables = JsonNode.Parse(c.Variables.ToJsonString())!.AsObject();
            return ChatTemplate.Parse(c.Template).Render(variables, FixedClock.Parse(c.Now));
        }
        catch (ChatTemplateException e)
        {
            return e;
        }
        catch (Exception e)
        {
            return $"CRASH {e.GetType().Name}: {e.Message}";
        }
    }

    private static string Describe(object result, out ChatTemplateException? error, out string? output)
    {
        error = result as ChatTemplateException;
        output = null;
        if (error is not null)
            return $"{error.PythonExceptionType}: {error.Description}";
        if (result is string s && !s.StartsWith("CRASH ", StringComparison.Ordinal))
        {
            output = s;
            return "output " + Quote(s);
        }
        return (string)result;
    }

    public static string Quote(string text)
    {
        var builder = new StringBuilder("\"");
        foreach (char c in text)
        {
            builder.Append(c switch
            {
                '\n' => "\\n",
                '\t' => "\\t",
                '\r' => "\\r",
                '"' => "\\\"",
                '\\' => "\\\\",
                < ' ' => $"\\x{(int)c:x2}",
                _ => c.ToString(),
            });
        }
        return builder.Append('"').ToString();
    }

    /// <summary>Fails with the first differences if there are any; returns the number of cases compared.</summary>
    public static int AssertNoDifferences(IReadOnlyList<OracleCase> cases, string what, bool compareErrorLines = true) =>
        AssertNoDifferences(cases, what, compareErrorLines, out _);

    public static int AssertNoDifferences(IReadOnlyList<OracleCase> cases, string what, bool compareErrorLines, out IReadOnlyList<OracleResult> expected)
    {
        List<Difference> differences = Compare(cases, compareErrorLines, out expected);
        if (differences.Count > 0)
        {
            var report = new StringBuilder($"{what}: {differences.Count} of {cases.Count} cases differ from jinja2:\n");
            foreach (Difference d in differences.Take(40))
                report.Append($"- {Shorten(d.Case.Name)}\n    jinja2: {Shorten(d.Expected)}\n    ours:   {Shorten(d.Actual)}\n");
            Assert.Fail(report.ToString());
        }
        TestContext.Current.SendDiagnosticMessage($"{what}: {cases.Count} cases compared with jinja2, 0 differences.");
        return cases.Count;
    }

    private static string Shorten(string text) => text.Length <= 600 ? text : text[..600] + "...";
}
