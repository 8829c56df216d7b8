using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using LlamaGen.Chat.Tests.Oracle;

namespace LlamaGen.Chat.Tests;

/// <summary>
/// Python's value semantics on seeded random data, against jinja2: floats printed, serialized, rounded and formatted
/// every way; integers of every size through every operator; strings of random unicode and whitespace through the
/// string methods and filters. Each case is one template over one random value.
/// </summary>
public sealed class ValuePropertyTests
{
    private const int Seed = 6102024;

    // LLAMAGEN_PROPERTY_SCALE=10 runs ten times as many cases, with other seeds, for a longer search.
    private static readonly int Scale = int.TryParse(Environment.GetEnvironmentVariable("LLAMAGEN_PROPERTY_SCALE"), out int scale) && scale > 0 ? scale : 1;

    private static Random NewRandom(int offset) => new(Seed + offset + (Scale > 1 ? Environment.TickCount : 0));

    [Fact]
    public void FloatsPrintFormatAndRoundAsPythonDoes()
    {
        var random = NewRandom(0);
        const string Template =
            "{{ x }}|{{ x|tojson }}|{{ -x }}|{{ x * 3 }}|{{ x / 7 }}|{{ x // 1.5 }}|{{ x % 1.5 }}|{{ x ** 2 if x|abs < 1e100 else 0 }}|" +
            "{{ '%f|%.3f|%e|%.2e|%g|%.10g|%G|%10.4f|%-12.3e|%+g' % (x, x, x, x, x, x, x, x, x, x) }}|" +
            "{{ '{:.5}|{:.3f}|{:e}|{:g}|{:%}|{:,.2f}|{:>14.6}|{}'.format(x, x, x, x, x, x, x, x) }}|" +
            "{{ x|round }}|{{ x|round(3) }}|{{ x|round(-2) }}|{{ x|round(1, 'floor') if x|abs < 1e300 else 0 }}|{{ x|int if x|abs < 1e300 else 0 }}|{{ x|string }}|{{ [x] }}|" +
            "{{ x == x|int }}|{{ x < 0.5 }}|{{ x|float }}|{{ (x|string)|float == x }}";
        var cases = new List<OracleCase>();
        for (int i = 0; i < 400 * Scale; i++)
        {
            double x = i switch
            {
                < 100 => Math.Round(random.NextDouble() * 2000 - 1000, random.Next(0, 6)),
                < 200 => (random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-30, 30)),
                < 250 => BitConverter.Int64BitsToDouble(random.NextInt64(1, 0x7FEFFFFFFFFFFFFF)) * (random.Next(2) == 0 ? 1 : -1),
                < 300 => random.Next(-100000, 100000) / 8.0 + 0.5 * random.Next(2),
                _ when i >= 400 => BitConverter.Int64BitsToDouble(random.NextInt64(1, 0x7FEFFFFFFFFFFFFF)),
                _ => random.Next(0, 1000) / 1000.0 + random.Next(-5, 5) * 0.005,
            };
            string json = "{\"x\": " + x.ToString("R", CultureInfo.InvariantCulture).Replace("E", "e") + (Math.Floor(x) == x && !x.ToString("R", CultureInfo.InvariantCulture).Contains('E') ? ".0" : "") + "}";
            cases.Add(OracleCase.Of(Template, json, $"float {json}"));
        }
        OracleComparison.AssertNoDifferences(cases, "random floats");
    }

    [Fact]
    public void IntegersOfEverySizeComputeAsPythonDoes()
    {
        var random = NewRandom(1);
        const string Template =
            "{{ a + b }}|{{ a - b }}|{{ a * b }}|{{ a // b if b else 'z' }}|{{ a % b if b else 'z' }}|{{ a / b if b else 'z' }}|{{ a ** 3 }}|{{ -a }}|{{ a < b }}|{{ a == b }}|" +
            "{{ '%d|%x|%o|%5d|%-5d|%05d|%+d' % (a, a, a, a, a, a, a) }}|{{ '{:,}|{:x}|{:b}|{:>12}|{:^12}|{:+}|{:_}'.format(a, a, a, a, a, a, a) }}|{{ a|abs }}|{{ a|string|length }}|" +
            "{{ [a, b]|sort }}|{{ [a, b]|max }}|{{ [a, b]|sum }}|{{ a|round(-3) }}|{{ a|float }}|{{ (a|string)|int == a }}|{{ a is divisibleby 3 if a else 'z' }}|{{ a is odd }}|{{ a|tojson }}";
        var cases = new List<OracleCase>();
        for (int i = 0; i < 300 * Scale; i++)
        {
            string A = RandomInteger(random, i), B = RandomInteger(random, i / 2);
            cases.Add(OracleCase.Of(Template, $"{{\"a\": {A}, \"b\": {B}}}", $"ints {A} {B}"));
        }
        OracleComparison.AssertNoDifferences(cases, "random integers");
    }

    private static string RandomInteger(Random random, int i)
    {
        int digits = i % 5 == 0 ? random.Next(15, 40) : random.Next(1, 12);
        var text = new StringBuilder(random.Next(2) == 0 ? "-" : "");
        text.Append((char)('1' + random.Next(9)));
        for (int d = 1; d < digits; d++)
            text.Append((char)('0' + random.Next(10)));
        return i % 17 == 0 ? "0" : text.ToString();
    }

    private static readonly string[] StringPieces =
    [
        "a", "B", "hello", "World", " ", "  ", "\t", "\n", "\r\n", "\u000b", "\u000c", "\u001c", "\u001f", "\u0085", "\u00a0", "\u2028", "\u3000",
        "é", "É", "ß", "ǅ", "ǆ", "ﬁ", "Σ", "ς", "İ", "ı", "Ⅻ", "½", "²", "٣", "日本", "😀", "👍🏽", "𝔄", "\u0301", "-", "_", ",", ".", "'", "\"", "(", "[", "<", "x-y", "O'Neil",
        "0", "42", "3.5", "{", "}", "{}", "%", "%s", "\\", "it's", "ABC", "abc", "Abc Def", "--", "a-b-c",
    ];

    [Fact]
    public void StringsGoThroughMethodsAndFiltersAsInPython()
    {
        var random = NewRandom(2);
        const string Template =
            "{{ [s.strip(), s.lstrip(), s.rstrip(), s.strip(' a-'), s.split(), s.split(' '), s.split(' ', 1), s.rsplit(None, 1), s.splitlines(), s.splitlines(true)] }}|" +
            "{{ [s.upper(), s.lower(), s.title(), s.capitalize(), s.swapcase(), s.casefold(), s|title, s|capitalize, s|upper, s|lower] }}|" +
            "{{ [s|length, s[1:], s[::-1], s[-3:], s[1:5:2], s.find('a'), s.rfind(' '), s.count(' '), s.startswith('a'), s.endswith(('.', ' '))] }}|" +
            "{{ [s.center(20, '*'), s.ljust(15), s.rjust(15, '.'), s.zfill(12), s|center(20), s.partition(' '), s.rpartition('-'), s.replace(' ', '_'), s|replace('a', 'A', 2)] }}|" +
            "{{ [s.isalpha(), s.isdigit(), s.isdecimal(), s.isnumeric(), s.isalnum(), s.isspace(), s.islower(), s.isupper(), s.istitle(), s.isidentifier(), s.isprintable()] }}|" +
            "{{ [s|trim, s|wordcount, s|truncate(12), s|truncate(12, true), s|wordwrap(8), s|indent(2), s|indent(2, true, true), s|list|length, s|reverse, s|unique|list|length] }}|" +
            "{{ s|tojson }}|{{ s|tojson(ensure_ascii=true) }}|{{ [s] }}|{{ s|e }}|{{ s ~ s|length }}|{{ s < 'm' }}|{{ (s, 1) }}|{{ s|urlencode }}";
        var cases = new List<OracleCase>();
        for (int i = 0; i < 300 * Scale; i++)
        {
            var text = new StringBuilder();
            int count = random.Next(0, 10);
            for (int p = 0; p < count; p++)
                text.Append(StringPieces[random.Next(StringPieces.Length)]);
            cases.Add(new OracleCase($"string {OracleComparison.Quote(text.ToString())}", Template, new JsonObject { ["s"] = text.ToString() }));
        }
        OracleComparison.AssertNoDifferences(cases, "random strings");
    }
}
