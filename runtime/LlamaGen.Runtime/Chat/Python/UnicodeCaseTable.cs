using System.Text;

namespace LlamaGen.Chat.Python;

/// <summary>
/// Python's case mappings and case properties, one character at a time, from the generated tables in
/// <c>UnicodeCaseTable.Data.cs</c>: full mappings (a character may map to several) exactly as Python 3.11 has them.
/// </summary>
internal static partial class UnicodeCaseTable
{
    public static bool IsLower(int c) => InRanges(LowercaseRanges, c);

    public static bool IsUpper(int c) => InRanges(UppercaseRanges, c);

    public static bool IsTitle(int c) => InRanges(TitlecaseRanges, c);

    public static bool IsCased(int c) => IsLower(c) || IsUpper(c) || IsTitle(c);

    public static void AppendUpper(StringBuilder output, int c) => Append(output, UpperRuns, UpperMulti, c);

    public static void AppendLower(StringBuilder output, int c) => Append(output, LowerRuns, LowerMulti, c);

    public static void AppendTitle(StringBuilder output, int c) => Append(output, TitleRuns, TitleMulti, c);

    public static void AppendFold(StringBuilder output, int c)
    {
        if (FoldExceptions.TryGetValue(c, out string? folded))
            output.Append(folded);
        else
            AppendLower(output, c);
    }

    private static void Append(StringBuilder output, int[] runs, Dictionary<int, string> multi, int c)
    {
        if (multi.TryGetValue(c, out string? mapped))
        {
            output.Append(mapped);
            return;
        }
        int target = c + Delta(runs, c);
        if (target < 0x10000)
            output.Append((char)target);
        else
            output.Append(char.ConvertFromUtf32(target));
    }

    private static int Delta(int[] runs, int c)
    {
        // Binary search over runs of four ints: the last run starting at or before c.
        int lo = 0, hi = runs.Length / 4 - 1, found = -1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (runs[mid * 4] <= c)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }
        if (found < 0)
            return 0;
        int start = runs[found * 4], end = runs[found * 4 + 1], stride = runs[found * 4 + 2];
        return c <= end && (c - start) % stride == 0 ? runs[found * 4 + 3] : 0;
    }

    private static bool InRanges(int[] ranges, int c)
    {
        int lo = 0, hi = ranges.Length / 2 - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (ranges[mid * 2 + 1] < c)
                lo = mid + 1;
            else if (ranges[mid * 2] > c)
                hi = mid - 1;
            else
                return true;
        }
        return false;
    }
}
