using LlamaGen.Chat.Tests.Oracle;

namespace LlamaGen.Chat.Tests.Corpus;

/// <summary>
/// Failures jinja2 reports, with its messages: syntax errors (and their lines), compile-time checks, undefined values,
/// and the sandbox refusing Python internals (<c>__class__</c>, <c>__globals__</c>, <c>mro</c>...).
/// </summary>
public static class ErrorCorpus
{
    private const string Data = """{"xs": [1, 2], "d": {"a": 1}, "s": "text", "messages": [{"role": "user", "content": "hi"}]}""";

    public static IEnumerable<OracleCase> SandboxCases()
    {
        string[] templates =
        [
            "{{ s.__class__ }}", "{{ s.__class__.__mro__ }}", "{{ s.__class__.__mro__[1].__subclasses__() }}", "{{ ''.__class__.__base__ }}", "{{ [].__class__.__base__.__subclasses__() }}",
            "{{ xs.__class__.__name__ }}", "{{ d.__class__ }}|{{ d.__init__ }}", "{{ d.__init__.__globals__ }}", "{{ raise_exception.__globals__ }}", "{{ raise_exception.__globals__['os'] }}",
            "{{ raise_exception.__code__ }}", "{{ namespace.__init__.__globals__ }}", "{{ cycler.__init__.__globals__.os }}", "{{ joiner.__init__.__globals__ }}", "{{ range.__globals__ }}",
            "{{ dict.__class__ }}", "{{ dict.mro() }}", "{{ s.upper.__self__ }}", "{{ s.upper.__globals__ }}", "{{ messages[0].__class__ }}", "{{ messages.__len__() }}",
            "{{ missing.__class__ }}", "{{ missing.__class__.__mro__ }}", "{{ missing.__dict__ }}", "{{ missing._x }}", "{{ d._x }}", "{{ d['__class__'] }}", "{{ s['__class__'].__mro__ }}",
            "{{ (xs|map('string')).gi_frame }}", "{{ (xs|map('string')).gi_frame.f_globals }}", "{{ (xs|map('string')).gi_code }}", "{% for x in xs %}{{ loop.__class__ }}{% endfor %}",
            "{% for x in xs %}{{ loop.__class__.__mro__ }}{% endfor %}", "{% set ns = namespace() %}{{ ns.__class__ }}{{ ns._Namespace__attrs }}", "{% set ns = namespace() %}{{ ns.__class__.__init__.__globals__ }}",
            "{% macro m() %}{% endmacro %}{{ m.__class__ }}{{ m._func }}", "{% macro m() %}{% endmacro %}{{ m._func.__globals__ }}", "{{ config }}", "{{ request }}",
            "{{ ''.format.__globals__ }}", "{{ '{0.__class__.__mro__}'.format('') }}", "{{ '{0.__class__}'.format('') }}", "{{ s|attr('__class__') }}", "{{ (s|attr('__class__')).__mro__ }}",
            "{{ xs.append(1) }}", "{{ d.update(a=2) }}", "{{ messages[0].pop('role') }}", "{{ messages.clear() }}", "{{ d.setdefault }}",
        ];
        foreach (string template in templates)
            yield return OracleCase.Of(template, Data);
    }

    public static IEnumerable<OracleCase> SyntaxCases()
    {
        string[] templates =
        [
            "{{ }}", "{{ 1 + }}", "{{ (1 }}", "{{ 1) }}", "{{ [1, 2 }}", "{{ {'a' 1} }}", "{{ 'unterminated }}", "{{ 1 ! 2 }}", "{{ a.b. }}", "{{ a.'x' }}",
            "{% if %}", "{% if true %}", "{% if true %}{% endfor %}", "{% for x in %}{% endfor %}", "{% for x xs %}{% endfor %}", "{% for %}", "{% endif %}",
            "{% nosuchtag %}", "{% set %}", "{% set 1 = 2 %}", "{% set x = %}", "{% macro %}", "{% macro m( %}", "{% macro m(a=1, b) %}{% endmacro %}",
            "{% call x %}{% endcall %}", "{% block a-b %}{% endblock %}", "{% raw %}never closed", "{# never closed", "{% if true %}\n\n{% else %}\n{% else %}{% endif %}",
            "line 1\nline 2 {{ x +* y }}\nline 3", "a\n\n\n{% for x in y %}\n{% endif %}", "{{ x | }}", "{{ x is }}", "{{ x is defined is defined }}", "{{ f(**a, b) }}", "{{ f(*a, b) }}",
            "{{ f(a=1, 2) }}", "{% with a %}{% endwith %}", "{% filter %}{% endfilter %}", "{% set x | %}{% endset %}", "{{ 'a' 1 }}", "{{ 1.2.3 }}", "{{ x[] }}", "{{ x[1:2:3:4] }}",
            "{% for x in xs %}{% endfor %}{% endfor %}", "{{ '\\x4' }}", "{{ '\\u12' }}", "{{ '\\U0011FFFF' }}", "{{ 01 }}", "{{ 1__000 }}", "{% if true %}{% elif %}{% endif %}",
            "{{ x.0a }}", "{% print %}", "{% set x.y.z = 1 %}", "{% for x.y in xs %}{% endfor %}", "{% macro m(x.y) %}{% endmacro %}",
            "{% if true %}\n  {% for x in xs %}\n    {{ x }\n  {% endfor %}\n{% endif %}", "{% extends %}", "{% include %}", "{% from 'x' import %}", "{% from 'x' import _p %}",
            "{% do x %}", "{% trans %}x{% endtrans %}", "{% autoescape %}{% endautoescape %}", "{%", "{{", "{% if true %}{% endif", "}} }}", "%}",
        ];
        foreach (string template in templates)
            yield return OracleCase.Of(template, Data);
    }
}
