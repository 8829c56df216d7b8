using System.Numerics;
using LlamaGen.Chat.Evaluation;
using LlamaGen.Chat.Values;

namespace LlamaGen.Chat.Python;

/// <summary>
/// Python's arithmetic operators on template values: exact ints (promoted to big integers on overflow), floats with
/// Python's floor division and modulo signs, string and list concatenation and repetition (sized before they are built),
/// printf-style <c>%</c> on strings, and Python's TypeError and ZeroDivisionError messages. An undefined operand raises
/// its undefined error, as jinja2's <c>Undefined</c> does for every operator.
/// </summary>
internal static class PythonArithmetic
{
    // Ints beyond this many bits are refused rather than computed (2 ** 10 ** 9 would take minutes and gigabytes).
    private const int MaxIntBits = 1 << 17;

    public static object? Add(object? a, object? b, ExecutionBudget budget)
    {
        ThrowIfUndefined(a, b);
        if (IsNumeric(a) && IsNumeric(b))
        {
            if (a is double || b is double)
                return PythonOps.ToDouble(a) + PythonOps.ToDouble(b);
            if (a is long x && b is long y && !AddOverflows(x, y))
                return x + y;
            return CheckedInt(PythonOps.ToBig(a) + PythonOps.ToBig(b), budget);
        }
        switch (a, b)
        {
            case (Markup m, _) when PythonOps.IsString(b):
                return Concat(m.Value, b is Markup bm ? bm.Value : HtmlEscape.Escape(PythonOps.AsString(b)!), budget, markup: true);
            case (string s, Markup m):
                return Concat(HtmlEscape.Escape(s), m.Value, budget, markup: true);
            case (string s, string t):
                return Concat(s, t, budget, markup: false);
            case (string, _):
                throw PythonError.Type($"can only concatenate str (not \"{PythonOps.TypeName(b)}\") to str");
            case (List<object?> x, List<object?> y):
                {
                    budget.CheckCollection((long)x.Count + y.Count);
                    var result = new List<object?>(x.Count + y.Count);
                    result.AddRange(x);
                    result.AddRange(y);
                    return result;
                }
            case (List<object?>, _):
                throw PythonError.Type($"can only concatenate list (not \"{PythonOps.TypeName(b)}\") to list");
            case (PyTuple x, PyTuple y):
                budget.CheckCollection((long)x.Count + y.Count);
                return new PyTuple([.. x.Items, .. y.Items]);
            case (PyTuple, _):
                throw PythonError.Type($"can only concatenate tuple (not \"{PythonOps.TypeName(b)}\") to tuple");
        }
        throw Unsupported("+", a, b);
    }

    public static object? Subtract(object? a, object? b, ExecutionBudget budget)
    {
        ThrowIfUndefined(a, b);
        if (IsNumeric(a) && IsNumeric(b))
        {
            if (a is double || b is double)
                return PythonOps.ToDouble(a) - PythonOps.ToDouble(b);
            if (a is long x && b is long y && !SubtractOverflows(x, y))
                return x - y;
            return CheckedInt(PythonOps.ToBig(a) - PythonOps.ToBig(b), budget);
        }
        throw Unsupported("-", a, b);
    }

    public static object? Multiply(object? a, object? b, ExecutionBudget budget)
    {
        ThrowIfUndefined(a, b);
        if (IsNumeric(a) && IsNumeric(b))
        {
            if (a is double || b is double)
                return PythonOps.ToDouble(a) * PythonOps.ToDouble(b);
            if (a is long x && b is long y)
            {
                long product;
                try
                {
                    product = checked(x * y);
                    return product;
                }
                catch (OverflowException)
                {
                }
            }
            BigInteger big = PythonOps.ToBig(a) * PythonOps.ToBig(b);
            return CheckedInt(big, budget);
        }
        if (IsSequence(a) && IsSequence(b))
            throw PythonError.Type($"can't multiply sequence by non-int of type '{PythonOps.TypeName(b)}'");
        if (IsSequence(a))
            return Repeat(a, b, budget);
        if (IsSequence(b))
            return Repeat(b, a, budget);
        throw Unsupported("*", a, b);
    }

    private static object? Repeat(object? sequence, object? count, ExecutionBudget budget)
    {
        if (!PythonOps.IsInt(count))
            throw PythonError.Type($"can't multiply sequence by non-int of type '{PythonOps.TypeName(count)}'");
        BigInteger n = PythonOps.ToBig(count);
        if (n <= 0)
            return sequence switch
            {
                string => "",
                Markup => new Markup(""),
                List<object?> => new List<object?>(),
                _ => PyTuple.Empty,
            };
        switch (sequence)
        {
            case string or Markup:
                {
                    string s = PythonOps.AsString(sequence)!;
                    if (s.Length == 0)
                        return sequence;
                    budget.CheckString(n > int.MaxValue ? long.MaxValue : (long)n * s.Length);
                    string repeated = string.Concat(Enumerable.Repeat(s, (int)n));
                    return sequence is Markup ? new Markup(repeated) : repeated;
                }
            case List<object?> list:
                {
                    budget.CheckCollection(list.Count == 0 ? 0 : n > int.MaxValue ? long.MaxValue : (long)n * list.Count);
                    var result = new List<object?>(list.Count * (int)n);
                    for (int i = 0; i < (int)n; i++)
                        result.AddRange(list);
                    return result;
                }
            default:
                {
                    var tuple = (PyTuple)sequence!;
                    budget.CheckCollection(tuple.Count == 0 ? 0 : n > int.MaxValue ? long.MaxValue : (long)n * tuple.Count);
                    var items = new List<object?>();
                    for (int i = 0; i < (int)n; i++)
                        items.AddRange(tuple.Items);
                    return new PyTuple([.. items]);
                }
        }
    }

    public static object? Divide(object? a, object? b)
    {
        ThrowIfUndefined(a, b);
        if (!IsNumeric(a) || !IsNumeric(b))
            throw Unsupported("/", a, b);
        if (a is double || b is double)
        {
            double y = PythonOps.ToDouble(b);
            if (y == 0)
                throw new PythonError(ChatTemplateErrorKind.ZeroDivision, "float division by zero");
            return PythonOps.ToDouble(a) / y;
        }
        BigInteger bx = PythonOps.ToBig(a), by = PythonOps.ToBig(b);
        if (by.IsZero)
            throw new PythonError(ChatTemplateErrorKind.ZeroDivision, "division by zero");
        return TrueDivide(bx, by);
    }

    // int / int, correctly rounded as Python does it: exact in doubles when both fit in 53 bits, otherwise a quotient
    // of at least 55 bits rounded once (with the remainder as the sticky bit).
    private static double TrueDivide(BigInteger x, BigInteger y)
    {
        const long Exact = 1L << 53;
        if (BigInteger.Abs(x) <= Exact && BigInteger.Abs(y) <= Exact)
            return (double)(long)x / (double)(long)y;
        bool negative = (x.Sign < 0) != (y.Sign < 0); // 0 / -n is -0.0 in Python
        x = BigInteger.Abs(x);
        y = BigInteger.Abs(y);
        long shift = 56 - ((long)x.GetBitLength() - (long)y.GetBitLength());
        BigInteger quotient = shift >= 0
            ? BigInteger.DivRem(x << (int)shift, y, out BigInteger remainder)
            : BigInteger.DivRem(x, y << (int)-shift, out remainder);
        double result = PythonOps.RoundToDouble(quotient, -shift, sticky: !remainder.IsZero);
        if (double.IsInfinity(result))
            throw new PythonError(ChatTemplateErrorKind.Overflow, "integer division result too large for a float");
        return negative ? -result : result;
    }

    public static object? FloorDivide(object? a, object? b, ExecutionBudget budget)
    {
        ThrowIfUndefined(a, b);
        if (!IsNumeric(a) || !IsNumeric(b))
            throw Unsupported("//", a, b);
        if (a is double || b is double)
        {
            double x = PythonOps.ToDouble(a), y = PythonOps.ToDouble(b);
            if (y == 0)
                throw new PythonError(ChatTemplateErrorKind.ZeroDivision, "float floor division by zero");
            return FloatDivMod(x, y).Div;
        }
        BigInteger bx = PythonOps.ToBig(a), by = PythonOps.ToBig(b);
        if (by.IsZero)
            throw new PythonError(ChatTemplateErrorKind.ZeroDivision, "integer division or modulo by zero");
        return PythonOps.Normalize(FloorDiv(bx, by));
    }

    public static object? Modulo(object? a, object? b, TemplateRenderer renderer)
    {
        ThrowIfUndefined(a, b);
        if (PythonOps.IsString(a))
            return PercentFormatter.Format(a, b, renderer);
        if (!IsNumeric(a) || !IsNumeric(b))
            throw Unsupported("%", a, b);
        if (a is double || b is double)
        {
            double x = PythonOps.ToDouble(a), y = PythonOps.ToDouble(b);
            if (y == 0)
                throw new PythonError(ChatTemplateErrorKind.ZeroDivision, "float modulo");
            return FloatDivMod(x, y).Mod;
        }
        BigInteger bx = PythonOps.ToBig(a), by = PythonOps.ToBig(b);
        if (by.IsZero)
            throw new PythonError(ChatTemplateErrorKind.ZeroDivision, "integer modulo by zero");
        return PythonOps.Normalize(bx - FloorDiv(bx, by) * by);
    }

    public static object? Power(object? a, object? b, ExecutionBudget budget)
    {
        ThrowIfUndefined(a, b);
        if (!IsNumeric(a) || !IsNumeric(b))
            throw Unsupported("** or pow()", a, b);
        if (a is double || b is double || PythonOps.ToBig(b).Sign < 0)
        {
            double x = PythonOps.ToDouble(a), y = PythonOps.ToDouble(b);
            if (x == 0 && y < 0)
                throw new PythonError(ChatTemplateErrorKind.ZeroDivision, "0.0 cannot be raised to a negative power");
            if (x < 0 && Math.Floor(y) != y && double.IsFinite(y))
                throw PythonError.Value("complex numbers are not supported (a negative number raised to a fractional power)");
            double result = Math.Pow(x, y);
            if (double.IsInfinity(result) && double.IsFinite(x) && double.IsFinite(y))
                throw new PythonError(ChatTemplateErrorKind.Overflow, "(34, 'Numerical result out of range')");
            return result;
        }
        BigInteger bx = PythonOps.ToBig(a), by = PythonOps.ToBig(b);
        if (bx.IsZero || bx.IsOne || by.IsZero)
            return PythonOps.Normalize(by.IsZero ? BigInteger.One : bx);
        if (bx == BigInteger.MinusOne)
            return by.IsEven ? 1L : -1L;
        // Size the result before computing it: bits(x) * y.
        double bits = (double)bx.GetBitLength() * (double)by;
        if (bits > MaxIntBits)
            throw ExecutionBudget.Exceeded($"the template computes an integer of about {bits:N0} bits, more than {MaxIntBits:N0}");
        return CheckedInt(BigInteger.Pow(bx, (int)by), budget);
    }

    public static object? Negate(object? value)
    {
        switch (value)
        {
            case Undefined u: throw u.Fail();
            case bool b: return b ? -1L : 0L;
            case long l: return l == long.MinValue ? (object)(-(BigInteger)l) : -l;
            case BigInteger big: return PythonOps.Normalize(-big);
            case double d: return -d;
        }
        throw PythonError.Type($"bad operand type for unary -: '{PythonOps.TypeName(value)}'");
    }

    public static object? Plus(object? value)
    {
        switch (value)
        {
            case Undefined u: throw u.Fail();
            case bool b: return b ? 1L : 0L;
            case long or BigInteger or double: return value;
        }
        throw PythonError.Type($"bad operand type for unary +: '{PythonOps.TypeName(value)}'");
    }

    public static BigInteger FloorDiv(BigInteger x, BigInteger y)
    {
        BigInteger quotient = BigInteger.DivRem(x, y, out BigInteger remainder);
        if (!remainder.IsZero && (remainder.Sign < 0) != (y.Sign < 0))
            quotient -= 1;
        return quotient;
    }

    // CPython's float_divmod.
    public static (double Div, double Mod) FloatDivMod(double vx, double wx)
    {
        double mod = vx % wx; // C#'s % on doubles is C's fmod
        double div = (vx - mod) / wx;
        if (mod != 0)
        {
            if ((wx < 0) != (mod < 0))
            {
                mod += wx;
                div -= 1.0;
            }
        }
        else
        {
            mod = Math.CopySign(0.0, wx);
        }
        double floordiv;
        if (div != 0)
        {
            floordiv = Math.Floor(div);
            if (div - floordiv > 0.5)
                floordiv += 1.0;
        }
        else
        {
            floordiv = Math.CopySign(0.0, vx / wx);
        }
        return (floordiv, mod);
    }

    private static object CheckedInt(BigInteger value, ExecutionBudget budget)
    {
        if (value.GetBitLength() > MaxIntBits)
            throw ExecutionBudget.Exceeded($"the template computes an integer of more than {MaxIntBits:N0} bits");
        return PythonOps.Normalize(value);
    }

    private static object Concat(string a, string b, ExecutionBudget budget, bool markup)
    {
        budget.CheckString((long)a.Length + b.Length);
        string result = string.Concat(a, b);
        return markup ? new Markup(result) : result;
    }

    private static bool AddOverflows(long x, long y) => ((x + y) ^ x) < 0 && ((x + y) ^ y) < 0;

    private static bool SubtractOverflows(long x, long y) => ((x ^ y) & (x ^ (x - y))) < 0;

    private static bool IsNumeric(object? value) => PythonOps.IsNumber(value);

    private static bool IsSequence(object? value) => value is string or Markup or List<object?> or PyTuple;

    private static void ThrowIfUndefined(object? a, object? b)
    {
        if (a is Undefined ua)
            throw ua.Fail();
        if (b is Undefined ub)
            throw ub.Fail();
    }

    private static PythonError Unsupported(string op, object? a, object? b) =>
        PythonError.Type($"unsupported operand type(s) for {op}: '{PythonOps.TypeName(a)}' and '{PythonOps.TypeName(b)}'");
}
