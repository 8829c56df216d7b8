using System.Numerics;
using LlamaGen.Chat.Values;

namespace LlamaGen.Chat.Python;

/// <summary>Python's slicing (<c>seq[start:stop:step]</c>, <c>slice.indices</c>) and index arguments.</summary>
internal static class PythonSlice
{
    /// <summary>An index argument: an int or bool (Python's <c>__index__</c>); big values saturate.</summary>
    public static long ToIndex(object? value) => value switch
    {
        long l => l,
        bool b => b ? 1 : 0,
        BigInteger big => big > long.MaxValue ? long.MaxValue : big < long.MinValue ? long.MinValue : (long)big,
        _ => throw PythonError.Type("slice indices must be integers or None or have an __index__ method"),
    };

    /// <summary><c>slice(start, stop, step).indices(length)</c>: normalized start, stop, step and the item count.</summary>
    public static (long Start, long Stop, long Step, long Count) Indices(long length, object? start, object? stop, object? step)
    {
        long s = step is null ? 1 : ToIndex(step);
        if (s == 0)
            throw PythonError.Value("slice step cannot be zero");
        long lower = s < 0 ? -1 : 0, upper = s < 0 ? length - 1 : length;
        long Adjust(object? value, long fallback)
        {
            if (value is null)
                return fallback;
            long v = ToIndex(value);
            if (v < 0)
            {
                v += length;
                if (v < lower)
                    v = lower;
            }
            else if (v > upper)
            {
                v = upper;
            }
            return v;
        }
        long first = Adjust(start, s < 0 ? upper : lower);
        long last = Adjust(stop, s < 0 ? lower : upper);
        long count = s > 0
            ? (first < last ? (last - first - 1) / s + 1 : 0)
            : (first > last ? (first - last - 1) / -s + 1 : 0);
        return (first, last, s, count);
    }

    public static object? Slice(object? target, object? start, object? stop, object? step)
    {
        switch (target)
        {
            case string or Markup:
                {
                    string s = PythonOps.AsString(target)!;
                    string result;
                    if (!PythonStrings.HasSurrogates(s))
                    {
                        var (first, _, by, count) = Indices(s.Length, start, stop, step);
                        if (by == 1)
                        {
                            result = s.Substring((int)first, (int)count);
                        }
                        else
                        {
                            var chars = new char[count];
                            for (long i = 0; i < count; i++)
                                chars[i] = s[(int)(first + i * by)];
                            result = new string(chars);
                        }
                    }
                    else
                    {
                        int[] cps = PythonStrings.ToCodePoints(s);
                        var (first, _, by, count) = Indices(cps.Length, start, stop, step);
                        var picked = new int[count];
                        for (long i = 0; i < count; i++)
                            picked[i] = cps[first + i * by];
                        result = PythonStrings.FromCodePoints(picked);
                    }
                    return target is Markup ? new Markup(result) : result;
                }
            case List<object?> list:
                return Pick(list, start, stop, step);
            case PyTuple tuple:
                return new PyTuple([.. Pick(tuple.Items, start, stop, step)]);
            case PyRange range:
                {
                    var (first, _, by, count) = Indices(range.Length, start, stop, step);
                    long newStart = range.Start + first * range.Step;
                    long newStep = range.Step * by;
                    return new PyRange(newStart, newStart + count * newStep, newStep);
                }
            case Undefined undefined:
                throw undefined.Fail();
        }
        throw PythonError.Type($"'{PythonOps.TypeName(target)}' object is not subscriptable");
    }

    private static List<object?> Pick(IReadOnlyList<object?> items, object? start, object? stop, object? step)
    {
        var (first, _, by, count) = Indices(items.Count, start, stop, step);
        var result = new List<object?>((int)count);
        for (long i = 0; i < count; i++)
            result.Add(items[(int)(first + i * by)]);
        return result;
    }
}
