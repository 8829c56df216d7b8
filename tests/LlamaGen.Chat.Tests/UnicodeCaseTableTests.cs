using System.Text;
using LlamaGen.Chat.Python;

namespace LlamaGen.Chat.Tests;

/// <summary>
/// The generated case tables against the running Python, every code point: <c>upper</c>, <c>lower</c>, <c>title</c>,
/// <c>casefold</c>, <c>islower</c> and <c>isupper</c>. They are Python's full mappings (ß upper-cases to SS), which .NET's
/// own casing does not give; regenerate with <c>Oracle/generate_unicode_case_table.py</c> if this fails after a Python update.
/// </summary>
public sealed class UnicodeCaseTableTests
{
    [Fact]
    public void CaseMappingsEqualPythonsForEveryCodePoint()
    {
        const string Script = """
            import sys
            out = []
            for c in range(0x110000):
                if 0xD800 <= c <= 0xDFFF:
                    continue
                ch = chr(c)
                u, l, t, f = ch.upper(), ch.lower(), ch.title(), ch.casefold()
                flags = ("L" if ch.islower() else "") + ("U" if ch.isupper() else "")
                if u != ch or l != ch or t != ch or f != ch or flags:
                    out.append("%X %s %s %s %s %s" % (c, "|".join("%X" % ord(x) for x in u), "|".join("%X" % ord(x) for x in l),
                                                      "|".join("%X" % ord(x) for x in t), "|".join("%X" % ord(x) for x in f), flags))
            sys.stdout.write("\n".join(out))
            """;
        string output = Oracle.Jinja2Oracle.RunPython(Script);

        var python = new Dictionary<int, string[]>();
        foreach (string line in output.Split('\n'))
        {
            string[] parts = line.Split(' ');
            python[Convert.ToInt32(parts[0], 16)] = parts;
        }
        int differences = 0;
        var report = new StringBuilder();
        for (int c = 0; c < 0x110000; c++)
        {
            if (c is >= 0xD800 and <= 0xDFFF)
                continue;
            string self = c.ToString("X");
            string[] expected = python.TryGetValue(c, out var parts) ? parts : [self, self, self, self, self, ""];
            string ch = char.ConvertFromUtf32(c);
            string[] actual =
            [
                self, Hex(PythonStrings.Upper(ch)), Hex(PythonStrings.Lower(ch)), Hex(PythonStrings.Title(ch)), Hex(PythonStrings.CaseFold(ch)),
                (PythonStrings.IsLower(ch) ? "L" : "") + (PythonStrings.IsUpper(ch) ? "U" : ""),
            ];
            if (!expected.SequenceEqual(actual))
            {
                if (differences++ < 20)
                    report.Append($"U+{self}: python {string.Join(' ', expected)} / ours {string.Join(' ', actual)}\n");
            }
        }
        Assert.True(differences == 0, $"{differences} code points differ:\n{report}");
    }

    private static string Hex(string text) => string.Join("|", PythonStrings.ToCodePoints(text).Select(c => c.ToString("X")));
}
