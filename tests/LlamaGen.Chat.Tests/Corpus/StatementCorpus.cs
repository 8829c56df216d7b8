using LlamaGen.Chat.Tests.Oracle;

namespace LlamaGen.Chat.Tests.Corpus;

/// <summary>Every statement: if/elif/else, for (loop.*, else, filters, recursion, break/continue), set and set blocks,
/// unpacking, namespaces, macros (defaults, varargs, kwargs, caller), call and filter blocks, with, raw, blocks,
/// generation, autoescape, and jinja2's scoping rules.</summary>
public static class StatementCorpus
{
    private const string Data = """
        {"xs": [3, 1, 2], "empty": [], "d": {"b": 2, "a": 1, "items": 3}, "s": "héllo wörld",
         "tree": [{"name": "a", "children": [{"name": "a1", "children": []}, {"name": "a2", "children": [{"name": "a2x", "children": []}]}]},
                  {"name": "b", "children": []}],
         "people": [{"name": "Ann", "age": 31, "city": "Oslo"}, {"name": "bob", "age": 25, "city": "oslo"}, {"name": "Cid", "age": 31}],
         "n": 5, "f": 2.5, "t": true, "none": null}
        """;

    public static IEnumerable<OracleCase> Cases()
    {
        string[] templates =
        [
            // if
            "{% if t %}yes{% endif %}", "{% if none %}yes{% else %}no{% endif %}", "{% if n > 5 %}a{% elif n == 5 %}b{% else %}c{% endif %}",
            "{% if n < 0 %}a{% elif n < 3 %}b{% elif n < 10 %}c{% endif %}", "{% if missing %}x{% else %}y{% endif %}",
            "{% if xs %}{{ xs|length }}{% endif %}{% if empty %}E{% endif %}", "{% if 'a' in d %}in{% endif %}", "{% if (1, 2) %}tuple{% endif %}",
            "{% if not t %}x{% elif not none %}y{% endif %}", "{% if t and n or none %}z{% endif %}", "{% if d.a == 1 and d['b'] == 2 %}ok{% endif %}",
            // for and loop
            "{% for x in xs %}{{ x }}{% endfor %}", "{% for x in xs %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }}|{% endfor %}",
            "{% for x in xs %}{{ loop.previtem }}-{{ loop.nextitem }};{% endfor %}", "{% for x in xs %}{{ loop.cycle('odd', 'even') }}{% endfor %}",
            "{% for x in [1, 1, 2, 2, 1] %}{% if loop.changed(x) %}{{ x }}{% endif %}{% endfor %}", "{% for x in xs %}{{ loop.depth }}{{ loop.depth0 }}{% endfor %}",
            "{% for x in empty %}x{% else %}empty{% endfor %}", "{% for x in xs %}x{% else %}empty{% endfor %}", "{% for x in missing %}x{% else %}undefined iterates empty{% endfor %}",
            "{% for x in xs if x > 1 %}{{ x }}{{ loop.index }}{{ loop.length }}{% endfor %}", "{% for x in xs if x > 10 %}{{ x }}{% else %}none left{% endfor %}",
            "{% for k in d %}{{ k }}{% endfor %}", "{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}", "{% for k, v in d|dictsort %}{{ k }}={{ v }};{% endfor %}",
            "{% for a, b in [(1, 2), (3, 4)] %}{{ a + b }}{% endfor %}", "{% for (a, b) in [[1, 2]] %}{{ a }}{{ b }}{% endfor %}", "{% for c in 'abc' %}{{ c }}.{% endfor %}",
            "{% for i in range(3) %}{{ i }}{% endfor %}", "{% for i in range(1, 10, 3) %}{{ i }}{% endfor %}", "{% for i in range(5, 0, -2) %}{{ i }}{% endfor %}",
            "{% for x in xs %}{% if x == 1 %}{% break %}{% endif %}{{ x }}{% endfor %}", "{% for x in xs %}{% if x == 1 %}{% continue %}{% endif %}{{ x }}{% endfor %}",
            "{% for x in [1, 2] %}{% for y in [3, 4] %}{% if y == 4 %}{% break %}{% endif %}{{ x }}{{ y }}{{ loop.index }}{% endfor %}{{ loop.index }}{% endfor %}",
            "{% for x in [1, 2] %}{% for y in 'ab' %}{{ loop.index }}{{ y }}{% endfor %}{{ loop.index }}{% endfor %}",
            "{% for item in tree recursive %}[{{ item.name }}{{ loop.depth }}{% if item.children %}({{ loop(item.children) }}){% endif %}]{% endfor %}",
            "{% for item in tree recursive %}{{ loop.depth0 }}{{ item.name }}{{ loop(item.children) }}{% else %}-{% endfor %}",
            "{% for x in xs %}{% set y = x * 2 %}{{ y }}{% endfor %}[{{ y }}]", "{% set y = 9 %}{% for x in xs %}{{ y }}{% set y = x %}{{ y }}{% endfor %}[{{ y }}]",
            "{% for x in xs %}{% if loop.first %}{% set first = x %}{% endif %}{{ first }}.{% endfor %}", "{% for x in xs %}{{ x }}{% endfor %}{{ x }}",
            "{% for x in xs %}{{ loop }}{% endfor %}", "{% for x in xs|sort %}{{ x }}{% endfor %}", "{% for x in xs|reverse %}{{ x }}{% endfor %}",
            "{% for p in people|selectattr('age', 'equalto', 31) %}{{ p.name }}{% endfor %}", "{% for x in [] %}{% else %}{{ loop is defined }}{% endfor %}",
            "{% for a in xs %}{% for b in xs if b > a %}{{ a }}{{ b }} {% endfor %}{% endfor %}", "{% for x in (1, 2) %}{{ x }}{% endfor %}",
            // set
            "{% set x = 1 %}{{ x }}", "{% set x, y = 1, 2 %}{{ x }}{{ y }}", "{% set x, y = [3, 4] %}{{ y }}{{ x }}", "{% set a = b = 1 %}",
            "{% set x = xs[1:] %}{{ x }}", "{% set x %}captured {{ n }}{% endset %}[{{ x }}]", "{% set x | upper %}captured {{ n }}{% endset %}[{{ x }}]",
            "{% set x | trim | upper %}  padded  {% endset %}[{{ x }}]", "{% if true %}{% set inner = 1 %}{% endif %}{{ inner }}",
            "{% set ns = namespace(count=0) %}{% for x in xs %}{% set ns.count = ns.count + x %}{% endfor %}{{ ns.count }}",
            "{% set ns = namespace() %}{% set ns.a = 1 %}{% set ns.b, ns.c = 2, 3 %}{{ ns.a }}{{ ns.b }}{{ ns.c }}{{ ns.missing }}",
            "{% set ns = namespace({'x': 1}, y=2) %}{{ ns.x }}{{ ns.y }}", "{% set ns = namespace(a=1) %}{{ ns }}", "{% set x = 1 %}{% set x.y = 2 %}",
            "{% set d2 = {'k': 1} %}{% set d2.k = 2 %}", "{% set messages = xs[1:] %}{{ messages }}",
            // macros
            "{% macro m(a, b=2, c='x') %}{{ a }}{{ b }}{{ c }}{% endmacro %}{{ m(1) }}|{{ m(1, 3) }}|{{ m(1, c='y') }}|{{ m(a=5, b=6) }}",
            "{% macro m(a) %}[{{ a }}]{% endmacro %}{{ m() }}", "{% macro m(a) %}[{{ a.x }}]{% endmacro %}{{ m() }}",
            "{% macro m() %}{{ varargs }}{{ kwargs }}{% endmacro %}{{ m(1, 2, k=3) }}", "{% macro m(a) %}{{ a }}{{ varargs }}{% endmacro %}{{ m(1, 2, 3) }}",
            "{% macro m(a) %}{{ a }}{% endmacro %}{{ m(1, 2) }}", "{% macro m(a) %}{{ a }}{% endmacro %}{{ m(1, b=2) }}", "{% macro m() %}{{ kwargs }}{% endmacro %}{{ m(z=1, y=2) }}",
            "{% macro m(n) %}{% if n > 0 %}{{ n }}{{ m(n - 1) }}{% endif %}{% endmacro %}{{ m(5) }}", "{% macro m() %}{{ n }}{% endmacro %}{% set n = 42 %}{{ m() }}",
            "{% macro m() %}{% set local = 1 %}{{ local }}{% endmacro %}{{ m() }}{{ local }}", "{% macro m(x) %}{{ x }}{% endmacro %}{{ m }}|{{ m.name }}|{{ m.arguments }}",
            "{% macro outer() %}{% macro inner() %}in{% endmacro %}{{ inner() }}{% endmacro %}{{ outer() }}", "{% macro m(a, b) %}{{ a }}{{ b }}{% endmacro %}{{ m(*[1, 2]) }}{{ m(**{'a': 3, 'b': 4}) }}",
            "{% macro m() %}{{ caller() }}{% endmacro %}{% call m() %}inside{% endcall %}", "{% macro m(items) %}{% for i in items %}{{ caller(i) }}{% endfor %}{% endmacro %}{% call(x) m([1, 2]) %}<{{ x }}>{% endcall %}",
            "{% macro m() %}{{ caller(1, 2) }}{% endmacro %}{% call(a, b=5) m() %}{{ a }}{{ b }}{% endcall %}", "{% macro m() %}[{{ caller is defined }}]{% endmacro %}{{ m() }}",
            "{% macro m() %}x{% endmacro %}{% call m() %}inside{% endcall %}", "{% macro m(caller) %}{% endmacro %}", "{% macro m(a, b=1, c) %}{% endmacro %}",
            "{% macro m() %}{{ caller() }}{% endmacro %}{{ m() }}",
            // filter blocks, with, raw, blocks, comments, generation, autoescape
            "{% filter upper %}hello {{ s }}{% endfilter %}", "{% filter replace('a', 'b') | upper %}banana{% endfilter %}", "{% filter trim %}  x  {% endfilter %}|",
            "{% with a = 1, b = 2 %}{{ a + b }}{% endwith %}{{ a }}", "{% with x = n %}{% set n = 0 %}{{ x }}{{ n }}{% endwith %}{{ n }}",
            "{% raw %}{{ not evaluated }}{% if %}{% endraw %}", "a{# comment {{ x }} #}b", "{# multi\nline\ncomment #}x",
            "{% block body %}in block {{ n }}{% endblock %}", "{% block b %}{% set inner = 1 %}{{ inner }}{% endblock %}{{ inner }}", "{% for i in xs %}{% block b2 %}{{ i }}{% endblock %}{% endfor %}",
            "{% for i in xs %}{% block b3 scoped %}{{ i }}{% endblock %}{% endfor %}", "{% block b %}x{% endblock b %}",
            "{% generation %}generated {{ n }}{% endgeneration %}", "{% for x in xs %}{% generation %}{{ x }}{% set g = x %}{% endgeneration %}{{ g }}{% endfor %}",
            "{% autoescape true %}{{ '<b>' }}{{ '<i>'|safe }}{% endautoescape %}{{ '<b>' }}", "{% autoescape true %}{{ '<a>' ~ 'b' }}{% endautoescape %}",
            "{% print 'printed', n %}", "{% print n %}",
            // loaders and errors in statements
            "{% include 'other.html' %}", "{% extends 'base.html' %}", "{% import 'macros.html' as m %}", "{% from 'macros.html' import x %}",
            "{% for loop in xs %}{% endfor %}", "{% for x in xs %}{% continue %}{% endfor %}done",
            "{% block a %}{% endblock %}{% block a %}{% endblock %}", "{% set x, y = 1, 2, 3 %}", "{% set x, y = 1 %}", "{% set x, y = [1] %}",
            "{% for a, b in xs %}{% endfor %}", "{% for x in n %}{% endfor %}", "{% for x in none %}{% endfor %}", "{{ loop.index }}",
            "{% for x in xs %}{{ loop(xs) }}{% endfor %}",
        ];
        foreach (string template in templates)
            yield return OracleCase.Of(template, Data);
    }
}
