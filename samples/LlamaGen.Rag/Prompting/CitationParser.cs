using System.Text.RegularExpressions;

namespace LlamaGen.Rag.Prompting;

/// <summary>The passage numbers an answer cites: "[2]", "[1, 3]", "[1][2]"; in order of first citation, each once.</summary>
public static partial class CitationParser
{
    [GeneratedRegex(@"\[(\d{1,4}(?:\s*[,;]\s*\d{1,4})*)\]")]
    private static partial Regex Citation();

    /// <summary>Numbers in 1..<paramref name="passageCount"/>; others go to <paramref name="outOfRange"/> (a model may cite a passage it was not given).</summary>
    public static IReadOnlyList<int> Parse(string answer, int passageCount, List<int>? outOfRange = null)
    {
        var cited = new List<int>();
        foreach (Match match in Citation().Matches(answer))
        {
            foreach (string part in match.Groups[1].Value.Split([',', ';'], StringSplitOptions.TrimEntries))
            {
                int number = int.Parse(part, System.Globalization.CultureInfo.InvariantCulture);
                if (number < 1 || number > passageCount)
                {
                    if (outOfRange is not null && !outOfRange.Contains(number)) outOfRange.Add(number);
                }
                else if (!cited.Contains(number))
                    cited.Add(number);
            }
        }
        return cited;
    }
}
