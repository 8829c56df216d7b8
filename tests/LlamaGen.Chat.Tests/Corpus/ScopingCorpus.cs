using LlamaGen.Chat.Tests.Oracle;

namespace LlamaGen.Chat.Tests.Corpus;

/// <summary>jinja2's scoping and evaluation-order details: what loops, macros, call blocks, with, filter and set blocks
/// see and leak, namespaces across them, loop variables in nested and recursive loops, and undefined values in containers.</summary>
public static class ScopingCorpus
{
    private const string Data = """{"xs": [1, 2, 3], "rows": [["a", 1], ["b", 2]], "d": {"k": "v"}, "msgs": [{"role": "user", "content": "u1"}, {"role": "assistant", "content": "a1"}, {"role": "user", "content": "u2"}]}""";

    public static IEnumerable<OracleCase> Cases()
    {
        string[] templates =
        [
            "{% set outer = 'o' %}{% for x in xs %}{% set outer = outer ~ x %}{{ outer }}|{% endfor %}{{ outer }}",
            "{% for x in xs %}{% if x == 2 %}{% set found = x %}{% endif %}{% endfor %}[{{ found }}]",
            "{% set ns = namespace(found=none) %}{% for x in xs %}{% if x == 2 %}{% set ns.found = x %}{% endif %}{% endfor %}[{{ ns.found }}]",
            "{% for x in xs %}{% for y in xs %}{% if loop.first %}{{ loop.index }}{{ x }}{% endif %}{% endfor %}{{ loop.index }}{% endfor %}",
            "{% for row in rows %}{% for cell in row %}{{ loop.index }}{{ cell }}{% endfor %};{% endfor %}",
            "{% macro m() %}{{ xs|length }}{{ d.k }}{% endmacro %}{% for xs in [[1]] %}{{ m() }}{% endfor %}",
            "{% macro m() %}{{ x }}{% endmacro %}{% for x in xs %}{{ m() }}{% endfor %}",
            "{% for x in xs %}{% macro m() %}{{ x }}{% endmacro %}{{ m() }}{% endfor %}",
            "{% set ns = namespace(v=0) %}{% macro bump() %}{% set ns.v = ns.v + 1 %}{% endmacro %}{{ bump() }}{{ bump() }}{{ ns.v }}",
            "{% macro m() %}{% set xs = [9] %}{{ xs }}{% endmacro %}{{ m() }}{{ xs }}",
            "{% macro m(a, b) %}{{ a }}{{ b }}{% endmacro %}{{ m(b=1, a=2) }}", "{% macro m(a, a2=a) %}{{ a2 }}{% endmacro %}{{ m(5) }}",
            "{% macro m(x=[]) %}{{ x|length }}{% endmacro %}{{ m() }}{{ m([1]) }}", "{% macro m() %}{{ varargs|length }}:{{ kwargs|length }}{% endmacro %}{{ m() }}",
            "{% macro list(items) %}<ul>{% for i in items %}<li>{{ caller(i, loop.index) }}</li>{% endfor %}</ul>{% endmacro %}{% call(item, n) list(xs) %}{{ n }}={{ item }}{% endcall %}",
            "{% macro wrap() %}[{{ caller() }}]{% endmacro %}{% set v = 'outer' %}{% call wrap() %}{{ v }}{% set v = 'inner' %}{{ v }}{% endcall %}{{ v }}",
            "{% with a = xs[0] %}{% with b = a + 1 %}{{ a }}{{ b }}{% endwith %}{% endwith %}", "{% with %}{% set x = 1 %}{% endwith %}{{ x }}",
            "{% filter upper %}{% for x in xs %}{{ x }}a{% endfor %}{% endfilter %}", "{% set s %}{% for x in xs %}{{ x }}{% endfor %}{% endset %}{{ s|length }}{{ s * 2 }}",
            "{% for m in msgs %}{% if loop.previtem %}{{ loop.previtem.role }}>{% endif %}{{ m.role }}{% if loop.nextitem is defined %}>{{ loop.nextitem.role }}{% endif %};{% endfor %}",
            "{% for m in msgs if m.role == 'user' %}{{ loop.index }}/{{ loop.length }}:{{ m.content }}{% if not loop.last %},{% endif %}{% endfor %}",
            "{% for m in msgs %}{{ loop.cycle('a', 'b', 'c') }}{{ loop.revindex0 }}{% endfor %}", "{% for m in msgs %}{% if loop.changed(m.role) %}*{% endif %}{{ m.role }}{% endfor %}",
            "{% for a, b in rows %}{% if loop.changed(a, b) %}{{ a }}{% endif %}{% endfor %}", "{% for x in xs %}{{ loop.length - loop.index }}{% endfor %}",
            "{{ [missing] }}|{{ [d.nope] }}|{{ (missing,) }}|{{ {'a': missing} }}|{{ [missing]|length }}|{{ missing|string }}|{{ missing|list }}",
            "{{ [1, 2][5] is defined }}|{{ d['nope'] is undefined }}|{{ msgs[9].role is defined }}", "{{ msgs[9].role }}",
            "{% set messages = msgs %}{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}{% else %}{% set loop_messages = messages %}{% endif %}{{ loop_messages|length }}",
            "{% set x = 1 %}{% if true %}{% set x = 2 %}{% endif %}{{ x }}", "{% set x = 1 %}{% for i in [1] %}{% set x = 2 %}{% endfor %}{{ x }}",
            "{% for x in xs %}{% set y = loop.index %}{% endfor %}[{{ y }}]", "{% for x in [] %}{% else %}{% set e = 'else' %}{{ e }}{% endfor %}[{{ e }}]",
            "{% set a = 'x' %}{% set b = a ~ 'y' %}{% set a = 'z' %}{{ a }}{{ b }}", "{% set d2 = dict(d) %}{{ d2 is sameas d }}{{ d2 == d }}",
            "{{ xs[-1] }}{{ xs[1:][0] }}{{ xs|first }}{{ xs|last }}{{ (xs|list)[0] }}", "{{ msgs|map(attribute='role')|unique|list }}",
            "{{ msgs|selectattr('role', 'eq', 'user')|map(attribute='content')|join(' / ') }}", "{{ msgs|rejectattr('content', 'in', ['u1', 'a1'])|list }}",
            "{% set m = msgs|last %}{{ m.role }}{% set m = msgs|first %}{{ m.content }}", "{{ msgs[0].items()|list }}", "{% for k, v in msgs[0]|items %}{{ k }}{{ v }}{% endfor %}",
            "{% for k, v in msgs[0].items() if k != 'role' %}{{ k }}={{ v }}{% endfor %}", "{{ (msgs|map(attribute='content')|list)[1:]|join(',') }}",
            "{% set content = msgs[0]['content'] %}{{ content.split('1')[0] + '|' + content.upper() }}", "{{ msgs|groupby('role')|map(attribute='grouper')|list }}",
        ];
        foreach (string template in templates)
            yield return OracleCase.Of(template, Data);
    }
}
