using LlamaGen.Chat.Tests.Oracle;

namespace LlamaGen.Chat.Tests.Corpus;

/// <summary>Literals, operators with Python semantics, comparisons, logic, conditionals, lookups, slicing, calls, and how
/// every kind of value prints.</summary>
public static class ExpressionCorpus
{
    private const string Data = """
        {"xs": [3, 1, 2], "d": {"b": 2, "a": 1, "items": 3, "_private": 4, "k-e": 5, "1": "one"}, "s": "héllo wörld 😀!",
         "emoji": "a😀b👍🏽c", "n": 5, "big": 12345678901234567890123, "f": 2.5, "neg": -7, "t": true, "none": null,
         "nested": {"list": [{"x": [10, 20, 30]}]}, "int1": 1, "float1": 1.0, "e": 1e-05, "huge": 1e300, "tiny": 5e-324,
         "ws": " \t padded \n ", "mixed": [1, "a", null, true, 2.0, [1], {"k": "v"}], "unicode": "Ünïcödé ß ǆ ﬁ Σ ΣΑΣ"}
        """;

    public static IEnumerable<OracleCase> Cases()
    {
        string[] templates =
        [
            // literals and printing
            "{{ 1 }}|{{ -1 }}|{{ 1.0 }}|{{ 1.5e3 }}|{{ 1e-7 }}|{{ 0.1 + 0.2 }}|{{ 1e16 }}|{{ 1e15 }}|{{ 123456789.123456789 }}|{{ 1_000 }}|{{ 0x1F }}|{{ 0o17 }}|{{ 0b101 }}",
            "{{ true }}|{{ True }}|{{ false }}|{{ none }}|{{ None }}|{{ missing }}|{{ [] }}|{{ {} }}|{{ () }}|{{ (1,) }}|{{ (1, 'a') }}",
            "{{ 'single' }}|{{ \"double\" }}|{{ 'it\\'s' }}|{{ \"say \\\"hi\\\"\" }}|{{ 'a' 'b' \"c\" }}|{{ 'tab\\there' }}|{{ 'nl\\nx' }}|{{ '\\x41\\u00e9\\U0001F600' }}",
            "{{ '\\\\' }}|{{ '\\q' }}|{{ '\\101' }}|{{ 'é\\é' }}|{{ '\\\n' }}|{{ 'a\\\\nb' }}",
            "{{ [1, 'a', none, true, 2.0] }}|{{ {'k': [1, (2,)], 1: 'x', none: none} }}|{{ [[]] }}|{{ ['it\\'s', \"q\\\"\"] }}|{{ ['\\n\\t\\x00\\x7f\\xa0\\u200b'] }}",
            "{{ mixed }}|{{ d }}|{{ nested }}|{{ xs }}|{{ s }}|{{ big }}|{{ int1 }}|{{ float1 }}|{{ e }}|{{ huge }}|{{ tiny }}|{{ f }}",
            "{{ [emoji] }}|{{ ['\\ud800'] }}|{{ [unicode] }}|{{ ['é'] }}|{{ ['\\u0301'] }}",
            "{{ d.items() }}|{{ d.keys() }}|{{ d.values() }}|{{ range(3) }}|{{ range(1, 5, 2) }}|{{ xs|map('string')|list }}",
            "{{ 1, 2 }}|{{ (1, 2) }}|{{ n, }}",
            // arithmetic
            "{{ 7 + 2 }} {{ 7 - 2 }} {{ 7 * 2 }} {{ 7 / 2 }} {{ 7 // 2 }} {{ 7 % 2 }} {{ 7 ** 2 }} {{ 8 / 2 }}",
            "{{ -7 // 2 }} {{ -7 % 3 }} {{ 7 % -3 }} {{ -7.5 // 2 }} {{ -7.5 % 2 }} {{ 7.5 % -2 }} {{ 2 ** -1 }} {{ 2 ** 0.5 }} {{ (-2) ** 2 }} {{ -2 ** 2 }}",
            "{{ 2 ** 3 ** 2 }} {{ 2 ** 100 }} {{ big * big }} {{ big + 1 }} {{ big // 7 }} {{ big % 7 }} {{ big / 3 }} {{ 9223372036854775807 + 1 }} {{ -9223372036854775808 - 1 }}",
            "{{ 1 + 2 * 3 - 4 / 2 }} {{ (1 + 2) * 3 }} {{ 10 - 2 - 3 }} {{ 2 * 3 % 4 }} {{ 100 / 10 / 5 }} {{ 1 + 1.5 }} {{ true + 1 }} {{ true * 3 }}",
            "{{ 'ab' + 'cd' }} {{ 'ab' * 3 }} {{ 3 * 'ab' }} {{ [1] + [2] }} {{ [1, 2] * 2 }} {{ (1,) + (2,) }} {{ 'x' * 0 }} {{ 'x' * -1 }} {{ [1] * 0 }}",
            "{{ 1 ~ 2 ~ 'a' ~ none ~ missing ~ [1] ~ 1.0 }}", "{{ 'a' ~ 1 + 2 }}", "{{ -n }} {{ +n }} {{ -f }} {{ - -n }} {{ not n }} {{ not none }}",
            "{{ 1 / 0 }}", "{{ 1 // 0 }}", "{{ 1 % 0 }}", "{{ 1.0 / 0 }}", "{{ 1.0 // 0 }}", "{{ 1.0 % 0 }}", "{{ 0 ** -1 }}",
            "{{ 'a' + 1 }}", "{{ 1 + 'a' }}", "{{ [1] + (2,) }}", "{{ (1,) + [2] }}", "{{ 'a' * 'b' }}", "{{ 'a' * 1.5 }}", "{{ none + 1 }}", "{{ {} + {} }}",
            "{{ 'a' - 'b' }}", "{{ -'a' }}", "{{ missing + 1 }}", "{{ 1 + missing }}", "{{ missing * 2 }}", "{{ -missing }}", "{{ missing ~ 'ok' }}",
            "{{ d.missing + 1 }}", "{{ xs[10] - 1 }}",
            // printf-style %
            "{{ '%s and %s' % ('a', 1) }}|{{ '%d' % 3.9 }}|{{ '%05.2f' % 3.14159 }}|{{ '%-5s|' % 'ab' }}|{{ '%5s|' % 'ab' }}|{{ '%x %X %o' % (255, 255, 8) }}|{{ '%#x %#o' % (255, 8) }}",
            "{{ '%r' % 'q' }}|{{ '%s' % none }}|{{ '%s' % [1, 2] }}|{{ '%(a)s-%(b)d' % {'a': 'x', 'b': 2} }}|{{ '%%' % () }}|{{ '%e' % 12345.678 }}|{{ '%g' % 0.00001234 }}|{{ '%g' % 123456789 }}",
            "{{ '%.3s' % 'abcdef' }}|{{ '%+d % d' % (5, 5) }}|{{ '%c%c' % (65, 'b') }}|{{ '%*d' % (5, 3) }}|{{ '%.*f' % (2, 1.005) }}|{{ '%i' % 7 }}|{{ '%5.1e' % 0.000123 }}",
            "{{ '%.2f' % 2.675 }}|{{ '%.2f' % 0.125 }}|{{ '%.0f' % 0.5 }}|{{ '%.0f' % 1.5 }}|{{ '%.1f' % -0.05 }}|{{ '%f' % 1e20 }}|{{ '%G' % 1e-10 }}|{{ '%#g' % 1.0 }}",
            "{{ '%s' % 'only' }}", "{{ '%s %s' % ('one',) }}", "{{ '%s' % ('a', 'b') }}", "{{ '%d' % 'x' }}", "{{ '%z' % 1 }}", "{{ '%' % () }}", "{{ 'x' % 5 }}",
            // comparisons
            "{{ 1 < 2 }} {{ 2 < 1 }} {{ 1 <= 1 }} {{ 1 == 1.0 }} {{ 1 == true }} {{ 0 == false }} {{ 1 != 2 }} {{ 'a' < 'b' }} {{ 'B' < 'a' }} {{ [1, 2] < [1, 3] }} {{ [1] < [1, 0] }} {{ (1, 2) == (1, 2) }}",
            "{{ 1 < 2 < 3 }} {{ 1 < 3 < 2 }} {{ 3 > 2 > 1 }} {{ 1 == 1 == 1 }} {{ 1 < n <= 5 }}", "{{ [1, 2] == [1, 2] }} {{ [1] == (1,) }} {{ {'a': 1} == {'a': 1} }} {{ 'a' == 'a' }} {{ none == none }} {{ none == false }}",
            "{{ missing == missing }} {{ missing == none }} {{ missing != 1 }} {{ d.nope == missing }}", "{{ 1 < 'a' }}", "{{ none < 1 }}", "{{ [1] < ['a'] }}", "{{ missing < 1 }}", "{{ {} < {} }}",
            "{{ 'a' in 'cat' }} {{ 'x' not in 'cat' }} {{ 1 in xs }} {{ 5 not in xs }} {{ 'a' in d }} {{ 'z' in d }} {{ 2 in range(3) }} {{ 1.0 in xs }} {{ 'a' in missing }} {{ none in [none] }}",
            "{{ 1 in 'abc' }}", "{{ 1 in 5 }}", "{{ 1 in none }}", "{{ [1] in d }}", "{{ 'b' in d.keys() }} {{ 2 in d.values() }} {{ ('a', 1) in d.items() }}",
            "{{ 2.0 == 2 }} {{ 2**53 + 1 > 2.0**53 }} {{ 0.1 + 0.2 == 0.3 }} {{ big > 1e22 }} {{ 1 < 2.5 }}",
            // logic
            "{{ 1 and 2 }} {{ 0 and 2 }} {{ 1 or 2 }} {{ 0 or 2 }} {{ none or 'default' }} {{ '' or [] }} {{ 'x' and none }} {{ missing or 'fallback' }} {{ missing and 1 }}",
            "{{ not 1 == 2 }} {{ not (1 and 0) }} {{ true and not false }} {{ 1 if true else 2 }} {{ 1 if false else 2 }} {{ 'x' if none }}|{{ 'a' if 1 else 'b' if 2 else 'c' }}",
            "{{ (1 if false).x }}", "{{ 'yes' if n > 3 and xs else 'no' }}",
            // lookups
            "{{ d.a }} {{ d['a'] }} {{ d.items }} {{ d['items'] }} {{ d._private }} {{ d['_private'] }} {{ d['k-e'] }} {{ d['1'] }} {{ d[1] }}",
            "{{ xs[0] }} {{ xs[-1] }} {{ xs.0 }} {{ xs[5] }} {{ nested.list[0].x[1] }} {{ nested.list.0.x.2 }} {{ s[0] }} {{ s[-2] }} {{ emoji[1] }} {{ emoji[3] }}",
            "{{ d.nope }}|{{ d.nope is defined }}|{{ xs.nope }}|{{ s.nope }}|{{ n.nope }}|{{ none.nope }}", "{{ d.nope.deeper }}", "{{ xs[5].x }}", "{{ missing.x }}",
            "{{ missing['x'] }}", "{{ none.x.y }}", "{{ none['x'] }}", "{{ n.real }} {{ f.real }} {{ n.imag }} {{ t.real }} {{ range(5).stop }}", "{{ d['a']['b'] }}",
            "{{ d[xs] }}|{{ d[(1, 2)] }}|{{ xs['a'] }}|{{ xs[1.0] }}|{{ xs[true] }}|{{ s['upper'] }}", "{{ d.get('a') }} {{ d.get('zz') }} {{ d.get('zz', 'dflt') }}",
            // slicing
            "{{ xs[1:] }} {{ xs[:1] }} {{ xs[::-1] }} {{ xs[::2] }} {{ xs[-2:] }} {{ xs[5:] }} {{ xs[1:-1] }} {{ xs[:] }} {{ xs[-100:100] }} {{ xs[2:0:-1] }}",
            "{{ s[1:4] }} {{ s[::-1] }} {{ emoji[1:3] }} {{ emoji[::-1] }} {{ s[-5:] }} {{ (1, 2, 3)[1:] }} {{ range(10)[2:8:2] }} {{ range(10)[::-1] }}",
            "{{ xs[::0] }}", "{{ xs['a':] }}", "{{ d[1:] }}", "{{ n[1:] }}", "{{ none[1:] }}", "{{ missing[1:] }}",
            // calls
            "{{ range(3)|list }} {{ dict(a=1, b=2) }} {{ dict() }} {{ dict([('x', 1)]) }} {{ dict(d, z=9) }}", "{{ range() }}", "{{ range(1.5) }}", "{{ range(1, 2, 0) }}",
            "{{ range(100001) }}", "{{ range(10**12) }}", "{{ range(0, 200000, 2)|length }}", "{{ n() }}", "{{ s() }}", "{{ missing() }}", "{{ d.nope() }}",
            "{% set c = cycler('a', 'b') %}{{ c.next() }}{{ c.next() }}{{ c.next() }}{{ c.current }}{% set _ = c.reset() %}{{ c.next() }}", "{{ cycler() }}",
            "{% set j = joiner(', ') %}{{ j() }}a{{ j() }}b{{ j() }}c", "{% set j = joiner() %}{{ j() }}{{ j() }}",
            "{{ raise_exception('boom: ' ~ n) }}", "{{ raise_exception(42) }}", "{% if n == 5 %}{{ raise_exception('five is not allowed') }}{% endif %}after",
            "{{ strftime_now('%Y-%m-%d %H:%M:%S') }}|{{ strftime_now('%d %b %Y') }}|{{ strftime_now('%A %B %j %U %W %w %u %V %G %y %C %e %I %p %f') }}",
            "{{ strftime_now('%-d %-m %_H %k %l %D %F %T %R %r %c %x %X %%') }}|{{ strftime_now('%^a %#b %10Y %05d %z%Z %Q') }}", "{{ strftime_now(5) }}",
        ];
        foreach (string template in templates)
            yield return OracleCase.Of(template, Data);
        // strftime_now at other moments: year ends, leap days, midnight and noon.
        foreach (string now in new[] { "2023-01-01T00:00:00", "2024-02-29T12:00:00.000001", "2020-12-31T23:59:59.999999", "2021-01-03T13:05:09" })
            yield return new OracleCase("strftime at " + now, "{{ strftime_now('%Y-%m-%d %H:%M:%S.%f %a %A %b %B %j %U %W %V %G %g %u %w %I %p %l %e') }}",
                new System.Text.Json.Nodes.JsonObject(), now);
    }
}
