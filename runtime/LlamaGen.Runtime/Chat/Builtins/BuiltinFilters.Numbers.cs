using System.Globalization;
using System.Numerics;
using LlamaGen.Chat.Evaluation;
using LlamaGen.Chat.Python;
using LlamaGen.Chat.Values;

namespace LlamaGen.Chat.Builtins;

internal static partial class BuiltinFilters
{
    private static object? Abs(TemplateRenderer renderer, object? value, CallArgs args)
    {
        ParameterBinder.Positional("abs", args, 0, 0);
        return value switch
        {
            bool b => b ? 1L : 0L,
            long l => l == long.MinValue ? (object)BigInteger.Negate(l) : Math.Abs(l),
            BigInteger big => PythonOps.Normalize(BigInteger.Abs(big)),
            double d => Math.Abs(d),
            _ => throw PythonError.Type($"bad operand type for abs(): '{PythonOps.TypeName(value)}'"),
        };
    }

    private static object? Float(TemplateRenderer renderer, object? value, CallArgs args)
    {
        var a = Bind("do_float", args, ["default"], [0.0]);
        if (value is Undefined undefined)
            throw undefined.Fail();
        return TryFloat(value, out double result) ? result : a[0];
    }

    /// <summary>Python's <c>float(value)</c> for numbers and strings; false where it raises TypeError or ValueError.</summary>
    private static bool TryFloat(object? value, out double result)
    {
        result = 0;
        switch (value)
        {
            case bool or long or double:
                result = PythonOps.ToDouble(value);
                return true;
            case BigInteger big:
                result = PythonOps.BigToDouble(big);
                return true;
            case string or Markup:
                return TryParseFloat(PythonOps.AsString(value)!, out result);
        }
        return false;
    }

    private static bool TryParseFloat(string text, out double result)
    {
        result = 0;
        string s = PythonStrings.Strip(text, null, left: true, right: true);
        string lower = s.ToLowerInvariant();
        string unsigned = lower.TrimStart('+', '-');
        if (unsigned.Length == lower.Length - 1 || unsigned.Length == lower.Length)
        {
            bool negative = lower.StartsWith('-');
            if (unsigned is "inf" or "infinity")
            {
                result = negative ? double.NegativeInfinity : double.PositiveInfinity;
                return true;
            }
            if (unsigned == "nan")
            {
                result = double.NaN;
                return true;
            }
        }
        string? digits = NormalizeNumber(s, allowFloat: true);
        return digits is not null && double.TryParse(digits, NumberStyles.Float, CultureInfo.InvariantCulture, out result);
    }

    // Python number literals in strings: unicode digits, and underscores only between digits.
    private static string? NormalizeNumber(string s, bool allowFloat)
    {
        var builder = new System.Text.StringBuilder(s.Length);
        int[] cps = PythonStrings.ToCodePoints(s);
        for (int i = 0; i < cps.Length; i++)
        {
            int c = cps[i];
            if (c == '_')
            {
                bool between = i > 0 && i + 1 < cps.Length && PythonChars.DecimalValue(cps[i - 1]) >= 0 && PythonChars.DecimalValue(cps[i + 1]) >= 0;
                if (!between)
                    return null;
                continue;
            }
            int d = PythonChars.DecimalValue(c);
            if (d >= 0)
                builder.Append((char)('0' + d));
            else if (c is '+' or '-' || (allowFloat && c is '.' or 'e' or 'E'))
                builder.Append((char)c);
            else
                return null;
        }
        return builder.Length == 0 ? null : builder.ToString();
    }

    private static object? Int(TemplateRenderer renderer, object? value, CallArgs args)
    {
        var a = Bind("do_int", args, ["default", "base"], [0L, 10L]);
        if (value is Undefined undefined)
            throw undefined.Fail();
        if (PythonOps.AsString(value) is string text)
        {
            if (TryParseInt(text, a[1], out BigInteger parsed))
                return PythonOps.Normalize(parsed);
        }
        else
        {
            switch (value)
            {
                case bool b: return b ? 1L : 0L;
                case long or BigInteger: return value;
                case double d when double.IsFinite(d): return PythonOps.Normalize(new BigInteger(Math.Truncate(d)));
            }
        }
        // int(float(value)), else the default.
        if (TryFloat(value, out double f) && double.IsFinite(f))
            return PythonOps.Normalize(new BigInteger(Math.Truncate(f)));
        return a[0];
    }

    private static bool TryParseInt(string text, object? radixValue, out BigInteger result)
    {
        result = 0;
        if (radixValue is not (long or bool or BigInteger))
            return false;
        long radix = PythonSlice.ToIndex(radixValue);
        if (radix != 0 && (radix < 2 || radix > 36))
            return false;
        string s = PythonStrings.Strip(text, null, left: true, right: true);
        bool negative = false;
        if (s.StartsWith('+') || s.StartsWith('-'))
        {
            negative = s[0] == '-';
            s = s[1..];
        }
        string lower = s.ToLowerInvariant();
        int prefixRadix = lower.StartsWith("0x") ? 16 : lower.StartsWith("0o") ? 8 : lower.StartsWith("0b") ? 2 : 0;
        if (prefixRadix != 0 && (radix == 0 || radix == prefixRadix))
        {
            radix = prefixRadix;
            s = s[2..];
            if (s.StartsWith('_'))
                s = s[1..];
        }
        else if (radix == 0)
        {
            radix = 10;
            if (s.Length > 1 && s.TrimStart('0', '_').Length == 0)
                s = "0";
            else if (s.StartsWith('0') && s.Length > 1)
                return false;
        }
        if (s.Length == 0 || s.StartsWith('_') || s.EndsWith('_') || s.Contains("__"))
            return false;
        // CPython's limit on decimal conversions: int() raises ValueError, so the filter falls back.
        if (radix is not (2 or 4 or 8 or 16 or 32) && s.Length - s.Count(c => c == '_') > PythonRepr.MaxIntDigits)
            return false;
        foreach (int c in PythonStrings.ToCodePoints(s))
        {
            if (c == '_')
                continue;
            int digit = PythonChars.DecimalValue(c);
            if (digit < 0)
                digit = c is >= 'a' and <= 'z' ? c - 'a' + 10 : c is >= 'A' and <= 'Z' ? c - 'A' + 10 : -1;
            if (digit < 0 || digit >= radix)
                return false;
            result = result * radix + digit;
        }
        if (negative)
            result = -result;
        return true;
    }

    private static object? Round(TemplateRenderer renderer, object? value, CallArgs args)
    {
        var a = Bind("do_round", args, ["precision", "method"], [0L, "common"]);
        string? method = PythonOps.AsString(a[1]);
        if (method is not ("common" or "ceil" or "floor"))
            throw new PythonError(ChatTemplateErrorKind.FilterArgument, "method must be common, ceil or floor");
        long precision = StringMethods.RequireInt(a[0]);
        if (value is Undefined undefined)
            throw undefined.Fail();
        if (method == "common")
        {
            switch (value)
            {
                case bool or long or BigInteger:
                    {
                        BigInteger n = PythonOps.ToBig(value);
                        if (precision >= 0)
                            return PythonOps.Normalize(n);
                        // round(int, -k): to a multiple of 10^k, half to even.
                        BigInteger unit = BigInteger.Pow(10, (int)Math.Min(-precision, 4000));
                        BigInteger quotient = PythonArithmetic.FloorDiv(n, unit), remainder = n - quotient * unit;
                        if (remainder * 2 > unit || (remainder * 2 == unit && !quotient.IsEven))
                            quotient += 1;
                        return PythonOps.Normalize(quotient * unit);
                    }
                case double d:
                    return FloatFormatting.Round(d, (int)Math.Clamp(precision, -400, 400));
            }
            throw PythonError.Type($"type {PythonOps.TypeName(value)} doesn't define __round__ method");
        }
        object? scale = PythonArithmetic.Power(10L, precision, renderer.Budget);
        object? scaled = PythonArithmetic.Multiply(value, scale, renderer.Budget);
        if (!PythonOps.IsNumber(scaled))
            throw PythonError.Type($"must be real number, not {PythonOps.TypeName(scaled)}");
        double x = PythonOps.ToDouble(scaled);
        if (double.IsNaN(x))
            throw PythonError.Value("cannot convert float NaN to integer");
        if (double.IsInfinity(x))
            throw new PythonError(ChatTemplateErrorKind.Overflow, "cannot convert float infinity to integer");
        // math.ceil/floor give an int; dividing by 10**precision gives a float.
        object rounded = scaled is double
            ? PythonOps.Normalize(new BigInteger(method == "ceil" ? Math.Ceiling(x) : Math.Floor(x)))
            : scaled!;
        return PythonArithmetic.Divide(rounded, scale);
    }
}
