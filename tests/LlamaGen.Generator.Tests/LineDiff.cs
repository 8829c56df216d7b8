using System.Text;

namespace LlamaGen.Generator.Tests;

/// <summary>
/// A small unified line diff for snapshot failures: common leading and trailing lines are skipped, the rest is
/// aligned by longest common subsequence, and changes are shown with three lines of context in <c>@@</c> hunks.
/// </summary>
internal static class LineDiff
{
    private const int Context = 3;

    // Past this many cells the LCS table is not worth it: the middle is shown as removed and added wholesale.
    private const long MaxTableCells = 4_000_000;

    /// <summary>Splits text into lines after normalizing line endings (a trailing newline adds no empty line).</summary>
    public static string[] Lines(string text)
    {
        string normalized = text.Replace("\r\n", "\n");
        if (normalized.EndsWith('\n')) normalized = normalized[..^1];
        return normalized.Length == 0 ? [] : normalized.Split('\n');
    }

    /// <summary>
    /// The unified diff from <paramref name="expected"/> to <paramref name="actual"/>, at most
    /// <paramref name="maxLines"/> diff lines (the rest is counted, not shown). Empty when the lines are equal.
    /// </summary>
    public static string Unified(string expected, string actual, string expectedName, string actualName, int maxLines = 80)
    {
        string[] a = Lines(expected), b = Lines(actual);
        List<(char Kind, int A, int B)> edits = Edits(a, b);
        if (edits.All(e => e.Kind == ' ')) return "";

        var output = new StringBuilder();
        output.Append("--- ").Append(expectedName).Append('\n');
        output.Append("+++ ").Append(actualName).Append('\n');
        int shown = 0, hidden = 0;
        foreach (var (start, end) in Hunks(edits))
        {
            int aStart = edits[start].A, bStart = edits[start].B;
            int aCount = edits.Skip(start).Take(end - start).Count(e => e.Kind != '+');
            int bCount = edits.Skip(start).Take(end - start).Count(e => e.Kind != '-');
            if (shown < maxLines)
                output.Append($"@@ -{aStart + 1},{aCount} +{bStart + 1},{bCount} @@\n");
            for (int i = start; i < end; i++)
            {
                var (kind, ai, bi) = edits[i];
                if (shown >= maxLines)
                {
                    hidden++;
                    continue;
                }
                output.Append(kind).Append(kind == '+' ? b[bi] : a[ai]).Append('\n');
                shown++;
            }
        }
        if (hidden > 0) output.Append($"... {hidden} more diff lines not shown\n");
        return output.ToString();
    }

    /// <summary>The edit script: ' ' keeps a[A] (= b[B]), '-' removes a[A], '+' inserts b[B].</summary>
    private static List<(char Kind, int A, int B)> Edits(string[] a, string[] b)
    {
        int prefix = 0;
        while (prefix < a.Length && prefix < b.Length && a[prefix] == b[prefix]) prefix++;
        int suffix = 0;
        while (suffix < a.Length - prefix && suffix < b.Length - prefix && a[^(suffix + 1)] == b[^(suffix + 1)]) suffix++;

        var edits = new List<(char, int, int)>();
        for (int i = 0; i < prefix; i++) edits.Add((' ', i, i));

        int m = a.Length - prefix - suffix, n = b.Length - prefix - suffix;
        if ((long)(m + 1) * (n + 1) <= MaxTableCells)
        {
            // lcs[i, j]: length of the longest common subsequence of a[prefix + i..] and b[prefix + j..] (middle only).
            var lcs = new int[m + 1, n + 1];
            for (int i = m - 1; i >= 0; i--)
            {
                for (int j = n - 1; j >= 0; j--)
                    lcs[i, j] = a[prefix + i] == b[prefix + j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
            }
            int x = 0, y = 0;
            while (x < m || y < n)
            {
                if (x < m && y < n && a[prefix + x] == b[prefix + y]) edits.Add((' ', prefix + x++, prefix + y++));
                // On a tie remove first, so a changed line reads as "-old" then "+new".
                else if (x < m && (y == n || lcs[x + 1, y] >= lcs[x, y + 1])) edits.Add(('-', prefix + x++, prefix + y));
                else edits.Add(('+', prefix + x, prefix + y++));
            }
        }
        else
        {
            for (int i = 0; i < m; i++) edits.Add(('-', prefix + i, prefix));
            for (int j = 0; j < n; j++) edits.Add(('+', prefix + m, prefix + j));
        }

        for (int i = 0; i < suffix; i++) edits.Add((' ', a.Length - suffix + i, b.Length - suffix + i));
        return edits;
    }

    /// <summary>Ranges [start, end) of the edit script around changes, with context; close hunks merge.</summary>
    private static IEnumerable<(int Start, int End)> Hunks(List<(char Kind, int A, int B)> edits)
    {
        int i = 0;
        while (i < edits.Count)
        {
            if (edits[i].Kind == ' ')
            {
                i++;
                continue;
            }
            int start = Math.Max(0, i - Context);
            int end = i;
            // Extend while the next change is within two contexts of the last one.
            while (end < edits.Count)
            {
                if (edits[end].Kind != ' ')
                {
                    end++;
                    continue;
                }
                int next = end;
                while (next < edits.Count && edits[next].Kind == ' ') next++;
                if (next < edits.Count && next - end <= 2 * Context)
                {
                    end = next;
                    continue;
                }
                end = Math.Min(edits.Count, end + Context);
                break;
            }
            yield return (start, end);
            i = end;
        }
    }
}
