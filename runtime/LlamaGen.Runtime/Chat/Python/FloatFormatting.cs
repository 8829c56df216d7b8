using System.Globalization;
using System.Numerics;
using System.Text;

namespace LlamaGen.Chat.Python;

/// <summary>
/// Python's float-to-text conversions: <c>repr</c> (the shortest digits that read back, in fixed notation while the
/// exponent is in [-4, 16)), and the fixed, exponent and general formats of <c>'%.2f' % x</c> and
/// <c>'{:.3e}'.format(x)</c>, correctly rounded (half to even) from the exact binary value as CPython's dtoa does.
/// </summary>
internal static class FloatFormatting
{
    public static string Repr(double value)
    {
        if (double.IsNaN(value))
            return "nan";
        if (double.IsInfinity(value))
            return value > 0 ? "inf" : "-inf";
        var (digits, point) = ShortestDigits(value);
        string sign = double.IsNegative(value) ? "-" : "";
        if (point > -4 && point <= 16)
            return sign + Fixed(digits, point, minFraction: 1);
        return sign + Exponent(digits, point, forceDot: false);
    }

    /// <summary>The shortest round-trip digits of |value| (no leading zeros, "0" for zero) and the decimal point position:
    /// value = 0.DIGITS * 10^point.</summary>
    public static (string Digits, int Point) ShortestDigits(double value)
    {
        if (value == 0)
            return ("0", 1);
        string r = Math.Abs(value).ToString("R", CultureInfo.InvariantCulture);
        int exponent = 0;
        int e = r.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            exponent = int.Parse(r.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            r = r[..e];
        }
        int dot = r.IndexOf('.');
        string intPart = dot >= 0 ? r[..dot] : r;
        string fracPart = dot >= 0 ? r[(dot + 1)..] : "";
        string all = intPart + fracPart;
        int point = intPart.Length + exponent;
        int lead = 0;
        while (lead < all.Length - 1 && all[lead] == '0')
        {
            lead++;
            point--;
        }
        all = all[lead..].TrimEnd('0');
        return (all.Length == 0 ? "0" : all, point);
    }

    // digits with the point at `point`, at least `minFraction` fraction digits.
    private static string Fixed(string digits, int point, int minFraction)
    {
        var builder = new StringBuilder();
        if (point <= 0)
        {
            builder.Append("0.").Append('0', -point).Append(digits);
        }
        else if (point >= digits.Length)
        {
            builder.Append(digits).Append('0', point - digits.Length);
            if (minFraction > 0)
                builder.Append('.').Append('0', minFraction);
        }
        else
        {
            builder.Append(digits, 0, point).Append('.').Append(digits, point, digits.Length - point);
        }
        return builder.ToString();
    }

    private static string Exponent(string digits, int point, bool forceDot)
    {
        var builder = new StringBuilder();
        builder.Append(digits[0]);
        if (digits.Length > 1)
            builder.Append('.').Append(digits, 1, digits.Length - 1);
        else if (forceDot)
            builder.Append('.');
        int exponent = point - 1;
        builder.Append(exponent < 0 ? "e-" : "e+").Append(Math.Abs(exponent).ToString("00", CultureInfo.InvariantCulture));
        return builder.ToString();
    }

    /// <summary>The exact decimal expansion of a finite |value|: value = Digits * 10^-Scale (Digits has no sign).</summary>
    public static (BigInteger Digits, int Scale) ExactDecimal(double value)
    {
        long bits = BitConverter.DoubleToInt64Bits(Math.Abs(value));
        int exponent = (int)((bits >> 52) & 0x7FF);
        long mantissa = bits & 0xFFFFFFFFFFFFFL;
        if (exponent == 0)
            exponent = 1;
        else
            mantissa |= 1L << 52;
        exponent -= 1075;
        if (exponent >= 0)
            return (new BigInteger(mantissa) << exponent, 0);
        // m / 2^k == m * 5^k / 10^k
        return (new BigInteger(mantissa) * BigInteger.Pow(5, -exponent), -exponent);
    }

    /// <summary>Rounds Digits * 10^-Scale to <paramref name="places"/> decimals, half to even: the result's digits at scale places.</summary>
    public static BigInteger RoundToPlaces(BigInteger digits, int scale, int places)
    {
        if (places >= scale)
            return digits * BigInteger.Pow(10, places - scale);
        BigInteger divisor = BigInteger.Pow(10, scale - places);
        BigInteger quotient = BigInteger.DivRem(digits, divisor, out BigInteger remainder);
        BigInteger twice = remainder * 2;
        if (twice > divisor || (twice == divisor && !quotient.IsEven))
            quotient += 1;
        return quotient;
    }

    /// <summary><c>'%.{precision}f' % value</c> (no sign handling for NaN/inf here: callers check).</summary>
    public static string FormatFixed(double value, int precision)
    {
        var (digits, scale) = ExactDecimal(value);
        BigInteger rounded = RoundToPlaces(digits, scale, precision);
        string text = rounded.ToString(CultureInfo.InvariantCulture);
        if (precision > 0)
        {
            if (text.Length <= precision)
                text = new string('0', precision - text.Length + 1) + text;
            text = text[..^precision] + "." + text[^precision..];
        }
        return (double.IsNegative(value) ? "-" : "") + text;
    }

    /// <summary><c>'%.{precision}e' % value</c>: one digit, <paramref name="precision"/> decimals, exponent of at least two digits.</summary>
    public static string FormatExponent(double value, int precision, bool alternate = false)
    {
        var (digits, exponent) = SignificantDigits(value, precision + 1);
        string mantissa = digits[..1] + (precision > 0 || alternate ? "." + digits[1..] : "");
        return (double.IsNegative(value) ? "-" : "") + mantissa + (exponent < 0 ? "e-" : "e+") +
            Math.Abs(exponent).ToString("00", CultureInfo.InvariantCulture);
    }

    /// <summary><c>'%.{precision}g' % value</c>: exponent form when the exponent is below -4 or at least the precision;
    /// trailing zeros removed unless <paramref name="alternate"/>.</summary>
    public static string FormatGeneral(double value, int precision, bool alternate = false, bool addDotZero = false)
    {
        if (precision == 0)
            precision = 1;
        if (value == 0)
        {
            string zero = alternate ? "0." + new string('0', precision - 1) : addDotZero ? "0.0" : "0";
            return (double.IsNegative(value) ? "-" : "") + zero;
        }
        var (digits, exponent) = SignificantDigits(value, precision);
        string sign = double.IsNegative(value) ? "-" : "";
        if (!alternate)
            digits = digits.TrimEnd('0');
        if (digits.Length == 0)
            digits = "0";
        if (exponent < -4 || exponent >= (addDotZero ? precision - 1 : precision))
        {
            string mantissa = digits[..1] + (digits.Length > 1 ? "." + digits[1..] : alternate ? "." : "");
            return sign + mantissa + (exponent < 0 ? "e-" : "e+") + Math.Abs(exponent).ToString("00", CultureInfo.InvariantCulture);
        }
        string text = Fixed(digits, exponent + 1, minFraction: 0);
        if (addDotZero && !text.Contains('.'))
            text += ".0";
        else if (alternate && !text.Contains('.'))
            text += ".";
        return sign + text;
    }

    /// <summary>|value| rounded to <paramref name="count"/> significant digits (half to even): the digits (exactly count of
    /// them) and the decimal exponent of the first.</summary>
    public static (string Digits, int Exponent) SignificantDigits(double value, int count)
    {
        if (value == 0)
            return (new string('0', count), 0);
        var (exact, scale) = ExactDecimal(value);
        int length = exact.ToString(CultureInfo.InvariantCulture).Length;
        int exponent = length - 1 - scale;
        // Keep `count` digits: round at (count - 1 - exponent) decimal places.
        BigInteger rounded = RoundToPlaces(exact, scale, count - 1 - exponent);
        string text = rounded.ToString(CultureInfo.InvariantCulture);
        if (text.Length > count)
        {
            // Rounding carried into a new digit (9.99 -> 10.0).
            exponent++;
            text = text[..count];
        }
        return (text.PadRight(count, '0'), exponent);
    }

    /// <summary>Python's <c>round(value, places)</c> for floats: the double nearest the correctly rounded decimal.</summary>
    public static double Round(double value, int places)
    {
        if (double.IsNaN(value) || double.IsInfinity(value) || value == 0)
            return value;
        if (places > 323)
            return value;
        if (places < -308)
            return 0.0 * Math.Sign(value);
        var (digits, scale) = ExactDecimal(value);
        BigInteger rounded = RoundToPlaces(digits, scale, places);
        string text = places >= 0
            ? rounded.ToString(CultureInfo.InvariantCulture) + "e-" + places.ToString(CultureInfo.InvariantCulture)
            : rounded.ToString(CultureInfo.InvariantCulture) + "e" + (-places).ToString(CultureInfo.InvariantCulture);
        double result = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
        return double.IsNegative(value) ? -result : result;
    }
}
