using LlamaGen.Chat.Tests.Oracle;

namespace LlamaGen.Chat.Tests.Corpus;

/// <summary>Every test (<c>is ...</c>) and the Python str, dict and list methods the sandbox allows (and refuses).</summary>
public static class TestAndMethodCorpus
{
    private const string Data = """
        {"xs": [3, 1, 2], "d": {"a": 1, "b": [1, 2]}, "s": "Hello World", "n": 6, "f": 1.5, "t": true, "none": null, "emoji": "😀x😀",
         "text": "  a,b,,c  ", "lines": "one\ntwo\r\nthree\rfour\u2028five\u000bsix\n"}
        """;

    public static IEnumerable<OracleCase> Cases()
    {
        string[] values = ["n", "f", "t", "none", "missing", "s", "''", "xs", "d", "(1, 2)", "range(3)", "xs|map('string')", "d.items()", "namespace()",
            "raise_exception", "s.upper", "cycler(1)", "joiner()", "0", "-1", "'ABC'", "'abc'", "'Ab'", "10**20"];
        string[] tests = ["defined", "undefined", "none", "boolean", "false", "true", "integer", "float", "number", "string", "mapping", "sequence",
            "iterable", "callable", "escaped", "lower", "upper"];
        foreach (string value in values)
            yield return OracleCase.Of(string.Join("|", tests.Select(test => $"{{{{ {value} is {test} }}}}")), Data, $"{value} against every test");

        string[] templates =
        [
            "{{ n is odd }} {{ n is even }} {{ n is divisibleby 3 }} {{ n is divisibleby(4) }} {{ f is odd }} {{ 7.0 is odd }} {{ true is odd }}", "{{ 's' is odd }}", "{{ missing is odd }}",
            "{{ n is eq 6 }} {{ n is equalto 6 }} {{ n is == 6 }} {{ n is ne 6 }} {{ n is != 5 }} {{ n is lt 7 }} {{ n is lessthan 7 }} {{ n is < 6 }} {{ n is le 6 }} {{ n is <= 5 }} {{ n is gt 5 }} {{ n is greaterthan 6 }} {{ n is > 5 }} {{ n is ge 6 }} {{ n is >= 7 }}",
            "{{ 1 is in xs }} {{ 'a' is in d }} {{ 'x' is in 'xyz' }} {{ n is not in xs }}", "{{ none is sameas none }} {{ true is sameas true }} {{ xs is sameas xs }} {{ 1 is sameas 1 }} {{ [] is sameas [] }}",
            "{{ 'upper' is filter }} {{ 'nope' is filter }} {{ 'odd' is test }} {{ 'nope' is test }} {{ 5 is filter }}", "{{ n is not defined }} {{ missing is not defined }} {{ not missing is defined }}",
            "{{ xs is sequence and xs is not string }} {{ 'a' is string and 'a' is sequence }}", "{{ n is nosuchtest }}", "{% if n is nosuchtest %}{% endif %}", "{% if false and n is nosuchtest %}{% endif %}ok",
            "{{ n is divisibleby 0 }}", "{{ n is eq }}", "{{ n is divisibleby(3, 4) }}", "{{ n is defined is defined }}",
            // str methods
            "[{{ text.strip() }}] [{{ text.lstrip() }}] [{{ text.rstrip() }}] [{{ text.strip(' ac') }}] [{{ 'xxhixx'.strip('x') }}] [{{ '\\u3000\\u2003x\\x1c'.strip() }}]",
            "{{ text.split(',') }} {{ text.split() }} {{ 'a b  c'.split(' ') }} {{ 'a,b,c'.split(',', 1) }} {{ 'a,b,c'.rsplit(',', 1) }} {{ '  a  b  '.split(none, 1) }} {{ '  a  b  '.rsplit(none, 1) }} {{ ''.split() }} {{ ''.split(',') }}",
            "{{ 'a,b'.split(sep=',') }} {{ 'a b c'.split(maxsplit=1) }}", "{{ 'a'.split('') }}", "{{ lines.splitlines() }} {{ lines.splitlines(true) }} {{ ''.splitlines() }}",
            "{{ s.startswith('He') }} {{ s.startswith(('x', 'Hell')) }} {{ s.endswith('ld') }} {{ s.startswith('World', 6) }} {{ s.endswith('Hello', 0, 5) }} {{ s.startswith('') }}", "{{ s.startswith(5) }}",
            "{{ s.find('o') }} {{ s.rfind('o') }} {{ s.find('z') }} {{ s.find('o', 5) }} {{ s.find('o', -3) }} {{ s.index('W') }} {{ emoji.find('x') }} {{ emoji.rfind('😀') }} {{ s.find('') }} {{ s.rfind('') }} {{ s.find('', 50) }}",
            "{{ s.index('z') }}", "{{ s.rindex('z') }}", "{{ s.count('o') }} {{ s.count('') }} {{ 'aaaa'.count('aa') }} {{ s.count('o', 5) }}",
            "{{ s.replace('o', '0') }} {{ s.replace('o', '0', 1) }} {{ 'abc'.replace('', '-') }} {{ 'abc'.replace('', '-', 2) }}", "{{ s.upper() }} {{ s.lower() }} {{ 'hello wORLD'.title() }} {{ \"they're bill's\".title() }} {{ 'hello'.capitalize() }} {{ 'HeLLo'.swapcase() }} {{ 'Straße'.casefold() }}",
            "{{ '-'.join(['a', 'b']) }} {{ ''.join('abc') }} {{ ', '.join(d) }}", "{{ '-'.join([1, 2]) }}", "{{ '{} and {}'.format('x', 'y') }} {{ '{0}{1}{0}'.format('a', 'b') }} {{ '{name}!'.format(name='N') }} {{ '{:>6}|{:<4}|{:^5}|{:*^7}'.format('r', 'l', 'c', 'x') }}",
            "{{ '{:.2f} {:5d} {:05d} {:x} {:X} {:o} {:b} {:,} {:_} {:+d} {: d} {:e} {:%} {:g}'.format(3.14159, 42, 42, 255, 255, 8, 5, 1234567, 1234567, 3, 3, 1234.5, 0.25, 0.00001) }}",
            "{{ '{!r} {!s} {0[a]} {1[0]} {2.real}'.format('q', xs, 5) }}", "{{ '{0[a]}'.format(d) }} {{ '{0.a}'.format(d) }}", "{{ '{}'.format(none) }} {{ '{}'.format([1]) }} {{ '{:>5}'.format(true) }} {{ '{}'.format(true) }} {{ '{:.3}'.format(3.14159) }} {{ '{:.3}'.format('abcdef') }}",
            "{{ '{'.format(1) }}", "{{ '}'.format(1) }}", "{{ '{} {}'.format(1) }}", "{{ '{0} {}'.format(1, 2) }}", "{{ '{x}'.format(y=1) }}", "{{ '{:d}'.format('s') }}", "{{ '{:s}'.format(1) }}",
            "{{ '{0.__class__}'.format(s) }}", "{{ '{x}-{y}'.format_map({'x': 1, 'y': 2}) }}", "[{{ 'ab'.center(6) }}] [{{ 'ab'.center(7, '*') }}] [{{ 'ab'.ljust(5, '.') }}] [{{ 'ab'.rjust(5) }}] [{{ '42'.zfill(5) }}] [{{ '-42'.zfill(5) }}]",
            "{{ 'ab'.center(5, 'xy') }}", "{{ 'a=b=c'.partition('=') }} {{ 'a=b=c'.rpartition('=') }} {{ 'abc'.partition('x') }} {{ 'prefix_x'.removeprefix('prefix_') }} {{ 'x.txt'.removesuffix('.txt') }}",
            "{{ 'a\\tb\\tc'.expandtabs() }} {{ 'a\\tb'.expandtabs(4) }}", "{{ '123'.isdigit() }} {{ '½'.isnumeric() }} {{ '²'.isdigit() }} {{ '²'.isdecimal() }} {{ 'abc'.isalpha() }} {{ 'ab1'.isalnum() }} {{ '  '.isspace() }} {{ ''.isspace() }} {{ 'abc'.islower() }} {{ 'ABC'.isupper() }} {{ 'Hello World'.istitle() }} {{ 'x_1'.isidentifier() }} {{ 'é'.isascii() }} {{ 'a\\tb'.isprintable() }}",
            "{{ s.nosuchmethod() }}", "{{ s.upper(1) }}", "{{ s.strip(1) }}",
            // dict and list methods, and the mutating ones the sandbox refuses
            "{{ d.items()|list }} {{ d.keys()|list }} {{ d.values()|list }} {{ d.get('a') }} {{ d.get('x', 0) }} {{ d.copy() }} {{ d.items()|length }} {{ 'a' in d.keys() }}",
            "{{ xs.index(1) }} {{ xs.count(3) }} {{ xs.copy() }} {{ (1, 2, 1).count(1) }} {{ (1, 2).index(2) }} {{ range(5).index(3) }}", "{{ xs.index(9) }}", "{{ (1,).index(9) }}",
            "{{ xs.append(4) }}", "{% set _ = xs.append(4) %}", "{{ xs.pop() }}", "{{ d.update({'c': 3}) }}", "{{ d.pop('a') }}", "{{ d.clear() }}", "{{ xs.sort() }}", "{{ xs.reverse() }}",
            "{{ xs.append }}|{{ d.update is defined }}", "{{ d.setdefault('z', 1) }}", "{{ xs.extend([1]) }}", "{{ xs.insert(0, 1) }}", "{{ xs.remove(1) }}", "{{ d.popitem() }}",
            "{{ n.bit_length() }} {{ f.is_integer() }} {{ 4.0.is_integer() }}",
            // loop methods and objects
            "{% for x in xs %}{{ loop.cycle() }}{% endfor %}", "{% for x in xs %}{{ loop.cycle(*['a', 'b']) }}{% endfor %}", "{% for x in xs %}{{ loop.changed() }}{% endfor %}",
            "{% for x in xs %}{{ loop.nope }}{% endfor %}", "{% for x in xs %}{{ loop.previtem.x }}{% endfor %}", "{% for x in xs %}{{ loop._iterable }}{% endfor %}",
        ];
        foreach (string template in templates)
            yield return OracleCase.Of(template, Data);
    }
}
