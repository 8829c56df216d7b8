using System.Numerics;
using LlamaGen.Chat.Evaluation;
using LlamaGen.Chat.Values;

namespace LlamaGen.Chat.Python;

/// <summary>
/// Python's object protocol over template values: type names, truth, equality and hashing, ordering, <c>len</c>,
/// iteration and <c>in</c>, with Python's TypeError messages. Values are <c>null</c> (None), <see cref="bool"/>,
/// <see cref="long"/> or <see cref="BigInteger"/> (int), <see cref="double"/> (float), <see cref="string"/>,
/// <c>List&lt;object?&gt;</c> (list), <see cref="PyTuple"/>, <see cref="PyDict"/> and the jinja2 objects.
/// </summary>
internal static class PythonOps
{
    public static string TypeName(object? value) => value switch
    {
        null => "NoneType",
        bool => "bool",
        long or BigInteger => "int",
        double => "float",
        string => "str",
        Markup => "Markup",
        List<object?> => "list",
        PyTuple { FieldNames: not null } => "_GroupTuple",
        PyTuple => "tuple",
        PyDict => "dict",
        Undefined => "Undefined",
        Namespace => "Namespace",
        Macro => "Macro",
        LoopContext => "LoopContext",
        PyRange => "range",
        PyIterator iterator => iterator.TypeName,
        DictView view => view.TypeName,
        BoundMethod => "builtin_function_or_method",
        BuiltinFunction function => function.PythonTypeName,
        Cycler => "Cycler",
        Joiner => "Joiner",
        _ => value.GetType().Name,
    };

    /// <summary>jinja2's <c>object_type_repr</c>: "dict object", "None", "jinja2.utils.Namespace object".</summary>
    public static string ObjectTypeRepr(object? value) => value switch
    {
        null => "None",
        Namespace or Cycler or Joiner => $"jinja2.utils.{TypeName(value)} object",
        Macro or LoopContext => $"jinja2.runtime.{TypeName(value)} object",
        Undefined => "jinja2.runtime.Undefined object",
        Markup => "markupsafe.Markup object",
        PyTuple { FieldNames: not null } => "jinja2.filters._GroupTuple object",
        _ => $"{TypeName(value)} object",
    };

    public static bool IsInt(object? value) => value is long or BigInteger or bool;

    public static bool IsNumber(object? value) => value is long or BigInteger or bool or double;

    public static bool IsString(object? value) => value is string or Markup;

    public static string? AsString(object? value) => value switch
    {
        string s => s,
        Markup m => m.Value,
        _ => null,
    };

    public static BigInteger ToBig(object? value) => value switch
    {
        long l => l,
        BigInteger b => b,
        bool b => b ? 1 : 0,
        _ => throw new InvalidCastException(),
    };

    /// <summary>A BigInteger as the canonical int value: a long when it fits.</summary>
    public static object Normalize(BigInteger value) => value >= long.MinValue && value <= long.MaxValue ? (object)(long)value : value;

    public static double ToDouble(object? value) => value switch
    {
        double d => d,
        long l => l,
        bool b => b ? 1 : 0,
        BigInteger big => BigToDouble(big),
        _ => throw new InvalidCastException(),
    };

    /// <summary>Python's <c>float(int)</c>: correctly rounded, half to even (.NET's BigInteger conversion truncates).</summary>
    public static double BigToDouble(BigInteger value)
    {
        if (value >= long.MinValue && value <= long.MaxValue)
            return (long)value;
        double d = RoundToDouble(BigInteger.Abs(value), 0, sticky: false);
        if (double.IsInfinity(d))
            throw new PythonError(ChatTemplateErrorKind.Overflow, "int too large to convert to float");
        return value.Sign < 0 ? -d : d;
    }

    /// <summary>
    /// mantissa * 2^exponent rounded to the nearest double, ties to even; <paramref name="sticky"/> says that nonzero bits
    /// were cut off below the mantissa (so an apparent tie rounds up). The mantissa should carry at least 55 bits when
    /// sticky is set.
    /// </summary>
    public static double RoundToDouble(BigInteger mantissa, long exponent, bool sticky)
    {
        long bits = (long)mantissa.GetBitLength();
        if (bits > 53)
        {
            int extra = (int)(bits - 53);
            BigInteger low = mantissa & ((BigInteger.One << extra) - 1);
            BigInteger half = BigInteger.One << (extra - 1);
            mantissa >>= extra;
            exponent += extra;
            if (low > half || (low == half && (sticky || !mantissa.IsEven)))
                mantissa += 1;
        }
        if (exponent > 2000)
            return double.PositiveInfinity;
        return Math.ScaleB((double)(long)mantissa, (int)Math.Max(exponent, -2000));
    }

    public static bool Truthy(object? value) => value switch
    {
        null => false,
        bool b => b,
        long l => l != 0,
        BigInteger big => !big.IsZero,
        double d => d != 0,
        string s => s.Length > 0,
        Markup m => m.Value.Length > 0,
        List<object?> list => list.Count > 0,
        PyTuple tuple => tuple.Count > 0,
        PyDict dict => dict.Count > 0,
        DictView view => view.Dict.Count > 0,
        PyRange range => range.Length > 0,
        Undefined => false,
        _ => true,
    };

    // ---- equality and hashing ----

    public static bool Equal(object? a, object? b)
    {
        if (ReferenceEquals(a, b))
            return a is not double d || !double.IsNaN(d);
        switch (a)
        {
            case null: return b is null;
            case Undefined: return b is Undefined;
            case string or Markup:
                return AsString(b) is string sb && string.Equals(AsString(a), sb, StringComparison.Ordinal);
        }
        if (IsNumber(a))
            return IsNumber(b) && CompareNumbers(a, b) == 0;
        switch (a, b)
        {
            case (List<object?> x, List<object?> y): return SequenceEqual(x, y);
            case (PyTuple x, PyTuple y): return SequenceEqual(x.Items, y.Items);
            case (PyDict x, PyDict y): return DictEqual(x, y);
            case (PyRange x, PyRange y):
                return x.Length == y.Length && (x.Length == 0 || (x.Start == y.Start && (x.Length == 1 || x.Step == y.Step)));
            case (DictView x, DictView y) when x.Kind == y.Kind && x.Kind != DictViewKind.Values:
                return x.Dict.Count == y.Dict.Count && x.Iterate().All(item => Contains(y, item));
            case (BoundMethod x, BoundMethod y): return x.Name == y.Name && ReferenceEquals(x.Receiver, y.Receiver);
        }
        return false;
    }

    private static bool SequenceEqual(IReadOnlyList<object?> x, IReadOnlyList<object?> y)
    {
        using var level = ExecutionBudget.EnterValue();
        if (x.Count != y.Count)
            return false;
        for (int i = 0; i < x.Count; i++)
            if (!ReferenceEquals(x[i], y[i]) && !Equal(x[i], y[i]))
                return false;
        return true;
    }

    private static bool DictEqual(PyDict x, PyDict y)
    {
        using var level = ExecutionBudget.EnterValue();
        if (x.Count != y.Count)
            return false;
        foreach (var entry in x.Items)
        {
            if (!y.TryGetValue(entry.Key, out object? other) || !(ReferenceEquals(entry.Value, other) || Equal(entry.Value, other)))
                return false;
        }
        return true;
    }

    /// <summary>Key equality of dict keys and sets: equality, but objects without value equality compare by identity.</summary>
    public static bool KeyEquals(object? a, object? b) => ReferenceEquals(a, b) || Equal(a, b);

    public static void EnsureHashable(object? value)
    {
        switch (value)
        {
            case List<object?> or PyDict or DictView { Kind: not DictViewKind.Keys and not DictViewKind.Items }:
                throw PythonError.Type($"unhashable type: '{TypeName(value)}'");
            case PyTuple tuple:
            {
                using var level = ExecutionBudget.EnterValue();
                foreach (object? item in tuple.Items)
                    EnsureHashable(item);
                break;
            }
        }
    }

    public static int Hash(object? value)
    {
        switch (value)
        {
            case null: return 0x2A;
            case bool b: return b ? 1 : 0;
            case long l: return l.GetHashCode();
            case BigInteger big: return big >= long.MinValue && big <= long.MaxValue ? ((long)big).GetHashCode() : big.GetHashCode();
            case double d:
                if (Math.Floor(d) == d && Math.Abs(d) < 9.2e18)
                    return ((long)d).GetHashCode();
                return d.GetHashCode();
            case string s: return string.GetHashCode(s, StringComparison.Ordinal);
            case Markup m: return string.GetHashCode(m.Value, StringComparison.Ordinal);
            case Undefined: return 0x55;
            case PyTuple tuple:
            {
                using var level = ExecutionBudget.EnterValue();
                var hash = new HashCode();
                foreach (object? item in tuple.Items)
                    hash.Add(Hash(item));
                return hash.ToHashCode();
            }
            default: return System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(value);
        }
    }

    // ---- ordering ----

    /// <summary>Python's <c>a &lt; b</c> and friends: -1, 0 or 1, or a TypeError naming <paramref name="op"/>.</summary>
    public static int Compare(object? a, object? b, string op)
    {
        if (a is Undefined ua)
            throw ua.Fail();
        if (b is Undefined ub)
            throw ub.Fail();
        if (IsNumber(a) && IsNumber(b))
        {
            int c = CompareNumbers(a, b);
            if (c == int.MinValue)
                return int.MinValue; // NaN: every ordering is false
            return c;
        }
        if (AsString(a) is string sa && AsString(b) is string sb)
            return CompareCodePoints(sa, sb);
        switch (a, b)
        {
            case (List<object?> x, List<object?> y): return CompareSequences(x, y, op);
            case (PyTuple x, PyTuple y): return CompareSequences(x.Items, y.Items, op);
        }
        throw PythonError.Type($"'{op}' not supported between instances of '{TypeName(a)}' and '{TypeName(b)}'");
    }

    public static bool Less(object? a, object? b) => Compare(a, b, "<") is int c && c != int.MinValue && c < 0;

    private static int CompareSequences(IReadOnlyList<object?> x, IReadOnlyList<object?> y, string op)
    {
        using var level = ExecutionBudget.EnterValue();
        int n = Math.Min(x.Count, y.Count);
        for (int i = 0; i < n; i++)
        {
            if (ReferenceEquals(x[i], y[i]) || Equal(x[i], y[i]))
                continue;
            return Compare(x[i], y[i], op);
        }
        return x.Count.CompareTo(y.Count);
    }

    /// <summary>Strings ordered by code points (UTF-16 order differs for characters above U+FFFF).</summary>
    public static int CompareCodePoints(string a, string b)
    {
        int n = Math.Min(a.Length, b.Length);
        for (int i = 0; i < n; i++)
        {
            char x = a[i], y = b[i];
            if (x == y)
                continue;
            if (char.IsSurrogate(x) != char.IsSurrogate(y))
                return char.IsSurrogate(x) ? (y >= 0xE000 ? -1 : 1) : (x >= 0xE000 ? 1 : -1);
            return x < y ? -1 : 1;
        }
        return a.Length.CompareTo(b.Length);
    }

    /// <summary>Exact comparison of two numbers (ints are not rounded to floats); int.MinValue when a NaN is involved.</summary>
    public static int CompareNumbers(object? a, object? b)
    {
        if (a is double || b is double)
        {
            double x = ToDoubleUnchecked(a), y = ToDoubleUnchecked(b);
            if (double.IsNaN(x) || double.IsNaN(y))
                return int.MinValue;
            if (a is double && b is double)
                return x.CompareTo(y);
            // An int against a float: compare exactly when the float is finite.
            if (a is double && double.IsFinite(x))
                return CompareBigToDouble(ToBig(b), x) * -1;
            if (b is double && double.IsFinite(y))
                return CompareBigToDouble(ToBig(a), y);
            return x.CompareTo(y);
        }
        if (a is long la && b is long lb)
            return la.CompareTo(lb);
        return ToBig(a).CompareTo(ToBig(b));
    }

    private static double ToDoubleUnchecked(object? value) => value is BigInteger big ? (double)big : ToDouble(value);

    private static int CompareBigToDouble(BigInteger integer, double d)
    {
        double floor = Math.Floor(d);
        var floorBig = new BigInteger(floor);
        int c = integer.CompareTo(floorBig);
        if (c != 0)
            return c;
        return floor == d ? 0 : -1;
    }

    // ---- len, iteration, membership ----

    public static long Length(object? value) => value switch
    {
        string s => PythonStrings.CodePointCount(s),
        Markup m => PythonStrings.CodePointCount(m.Value),
        List<object?> list => list.Count,
        PyTuple tuple => tuple.Count,
        PyDict dict => dict.Count,
        DictView view => view.Dict.Count,
        PyRange range => range.Length,
        Undefined => 0,
        LoopContext loop => loop.Length,
        Namespace ns => throw PythonError.Type("object of type 'Namespace' has no len()"),
        _ => throw PythonError.Type($"object of type '{TypeName(value)}' has no len()"),
    };

    public static IEnumerable<object?> Iterate(object? value) => value switch
    {
        List<object?> list => list,
        PyTuple tuple => tuple.Items,
        string s => PythonStrings.CodePoints(s),
        Markup m => PythonStrings.CodePoints(m.Value).Select(c => (object?)new Markup((string)c!)),
        PyDict dict => dict.Keys,
        DictView view => view.Iterate(),
        PyRange range => IterateRange(range),
        PyIterator iterator => iterator.Consume(),
        Undefined => [],
        _ => throw PythonError.Type($"'{TypeName(value)}' object is not iterable"),
    };

    public static bool IsIterable(object? value) =>
        value is List<object?> or PyTuple or string or Markup or PyDict or DictView or PyRange or PyIterator or Undefined or LoopContext;

    private static IEnumerable<object?> IterateRange(PyRange range)
    {
        for (long i = 0; i < range.Length; i++)
            yield return range[i];
    }

    /// <summary>Python's <c>item in container</c>.</summary>
    public static bool Contains(object? container, object? item)
    {
        switch (container)
        {
            case string or Markup:
                if (AsString(item) is not string needle)
                    throw PythonError.Type($"'in <string>' requires string as left operand, not {TypeName(item)}");
                return AsString(container)!.Contains(needle, StringComparison.Ordinal);
            case List<object?> list:
                return list.Any(x => ReferenceEquals(x, item) || Equal(x, item));
            case PyTuple tuple:
                return tuple.Items.Any(x => ReferenceEquals(x, item) || Equal(x, item));
            case PyDict dict:
                return dict.ContainsKey(item);
            case DictView { Kind: DictViewKind.Keys } keys:
                return keys.Dict.ContainsKey(item);
            case DictView { Kind: DictViewKind.Items } items:
                return item is PyTuple { Count: 2 } pair && items.Dict.TryGetValue(pair.Items[0], out object? v) && Equal(v, pair.Items[1]);
            case DictView values:
                return values.Iterate().Any(x => Equal(x, item));
            case PyRange range:
                if (item is long or BigInteger or bool)
                {
                    BigInteger n = ToBig(item);
                    if (range.Length == 0)
                        return false;
                    BigInteger offset = n - range.Start;
                    if (range.Step > 0 ? n < range.Start || n >= range.Stop : n > range.Start || n <= range.Stop)
                        return false;
                    return offset % range.Step == 0;
                }
                return IterateRange(range).Any(x => Equal(x, item));
            case PyIterator iterator:
                return iterator.Consume().Any(x => Equal(x, item));
            case Undefined:
                return false;
            default:
                throw PythonError.Type($"argument of type '{TypeName(container)}' is not iterable");
        }
    }
}
