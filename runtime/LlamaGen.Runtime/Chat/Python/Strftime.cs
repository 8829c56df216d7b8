using System.Globalization;
using System.Text;

namespace LlamaGen.Chat.Python;

/// <summary>
/// <c>datetime.now().strftime(format)</c> for a naive local time, as Python on Linux gives it: Python's own
/// <c>%f</c> (and empty <c>%z</c>, <c>%Z</c> for a naive time), the rest as glibc's strftime in the C locale, with
/// glibc's flags (<c>%-d</c> unpadded, <c>%_d</c> space-padded, <c>%^a</c> upper case, <c>%#</c>, widths) and
/// <c>E</c>/<c>O</c> modifiers. Unknown conversions are copied, as glibc does.
/// </summary>
internal static class Strftime
{
    private static readonly string[] Days = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
    private static readonly string[] Months =
        ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

    public static string Format(DateTime time, string format)
    {
        var output = new StringBuilder();
        int i = 0;
        while (i < format.Length)
        {
            char c = format[i];
            if (c != '%' || i + 1 >= format.Length)
            {
                output.Append(c);
                i++;
                continue;
            }
            int start = i++;
            char pad = '\0';
            bool upper = false, swapCase = false;
            while (i < format.Length && format[i] is '-' or '_' or '0' or '^' or '#')
            {
                char f = format[i++];
                if (f == '^')
                    upper = true;
                else if (f == '#')
                    swapCase = true;
                else
                    pad = f;
            }
            int width = -1;
            while (i < format.Length && char.IsAsciiDigit(format[i]))
                width = Math.Min(Math.Max(0, width) * 10 + (format[i++] - '0'), 1024);
            while (i < format.Length && format[i] is 'E' or 'O')
                i++;
            if (i >= format.Length)
            {
                output.Append(format, start, format.Length - start);
                break;
            }
            char conversion = format[i++];
            Piece? piece = Convert(time, conversion);
            if (piece is null)
            {
                output.Append(format, start, i - start);
                continue;
            }
            output.Append(Render(piece.Value, pad, upper, swapCase, width));
        }
        return output.ToString();
    }

    // A converted field: its text, and for numbers the width and fill they get when no flag says otherwise.
    private readonly record struct Piece(string Text, bool Numeric, int Width, char Fill);

    private static Piece Text(string text) => new(text, false, 0, ' ');

    private static Piece Number(long value, int width, char fill = '0') =>
        new(value.ToString(CultureInfo.InvariantCulture), true, width, fill);

    private static Piece? Convert(DateTime t, char conversion) => conversion switch
    {
        'a' => Text(Days[(int)t.DayOfWeek][..3]),
        'A' => Text(Days[(int)t.DayOfWeek]),
        'b' or 'h' => Text(Months[t.Month - 1][..3]),
        'B' => Text(Months[t.Month - 1]),
        'c' => Text(Format(t, "%a %b %e %H:%M:%S %Y")),
        'C' => Number(t.Year / 100, 2),
        'd' => Number(t.Day, 2),
        'D' or 'x' => Text(Format(t, "%m/%d/%y")),
        'e' => Number(t.Day, 2, ' '),
        'f' => Number(t.Ticks % TimeSpan.TicksPerSecond / 10, 6),
        'F' => Text(Format(t, "%Y-%m-%d")),
        'G' => Number(ISOWeek.GetYear(t), 1),
        'g' => Number(ISOWeek.GetYear(t) % 100, 2),
        'H' => Number(t.Hour, 2),
        'I' => Number(Hour12(t), 2),
        'j' => Number(t.DayOfYear, 3),
        'k' => Number(t.Hour, 2, ' '),
        'l' => Number(Hour12(t), 2, ' '),
        'm' => Number(t.Month, 2),
        'M' => Number(t.Minute, 2),
        'n' => Text("\n"),
        'p' => Text(t.Hour < 12 ? "AM" : "PM"),
        'P' => Text(t.Hour < 12 ? "am" : "pm"),
        'r' => Text(Format(t, "%I:%M:%S %p")),
        'R' => Text(Format(t, "%H:%M")),
        's' => Number((long)(t - DateTime.UnixEpoch).TotalSeconds, 1),
        'S' => Number(t.Second, 2),
        't' => Text("\t"),
        'T' or 'X' => Text(Format(t, "%H:%M:%S")),
        'u' => Number(t.DayOfWeek == DayOfWeek.Sunday ? 7 : (int)t.DayOfWeek, 1),
        'U' => Number((t.DayOfYear + 6 - (int)t.DayOfWeek) / 7, 2),
        'V' => Number(ISOWeek.GetWeekOfYear(t), 2),
        'w' => Number((int)t.DayOfWeek, 1),
        'W' => Number((t.DayOfYear + 6 - ((int)t.DayOfWeek + 6) % 7) / 7, 2),
        'y' => Number(t.Year % 100, 2),
        'Y' => Number(t.Year, 1),
        'z' or 'Z' => Text(""), // a naive datetime has no zone
        '%' => Text("%"),
        _ => null,
    };

    private static int Hour12(DateTime t) => t.Hour % 12 == 0 ? 12 : t.Hour % 12;

    // glibc: '-' drops the padding, '_' pads with spaces, '0' with zeros; a width pads to that many characters;
    // '^' upper-cases, '#' swaps the case of names (lower-cases AM/PM).
    private static string Render(Piece piece, char pad, bool upper, bool swapCase, int width)
    {
        string text = piece.Text;
        if (upper)
            text = text.ToUpperInvariant();
        else if (swapCase)
            text = text.Any(char.IsLower) ? text.ToUpperInvariant() : text.ToLowerInvariant();
        if (pad == '-')
            return text;
        int target = width >= 0 ? width : piece.Numeric ? piece.Width : 0;
        char fill = pad switch
        {
            '_' => ' ',
            '0' => '0',
            _ => piece.Numeric ? piece.Fill : ' ',
        };
        return text.Length >= target ? text : text.PadLeft(target, fill);
    }
}
