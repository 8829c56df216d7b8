using LlamaGen.Chat.Tests.Oracle;

namespace LlamaGen.Chat.Tests.Corpus;

/// <summary>
/// Whitespace control as jinja2's lexer does it under trim_blocks and lstrip_blocks: every combination of "-" and "+"
/// on block, comment, raw and variable tags, at line starts and mid-line, with spaces, tabs and blank lines around.
/// </summary>
public static class WhitespaceCorpus
{
    public static IEnumerable<OracleCase> Cases()
    {
        string[] opens = ["{%", "{%-", "{%+"];
        string[] closes = ["%}", "-%}", "+%}"];
        string[] befores = ["", "a", "a\n", "a\n  ", "a\n\t \t", "  ", "\n", "a  \n\n  ", " \u00a0"];
        string[] afters = ["", "b", "\nb", "\n\nb", "  \nb", " b", "\r\nb", "\n"];
        foreach (string open in opens)
            foreach (string close in closes)
                foreach (string before in befores)
                    foreach (string after in afters)
                        yield return OracleCase.Of($"{before}{open} if true {close}{after}x{open} endif {close}{after}");

        string[] variableOpens = ["{{", "{{-", "{{+"];
        string[] variableCloses = ["}}", "-}}"];
        foreach (string open in variableOpens)
            foreach (string close in variableCloses)
                foreach (string before in befores)
                    foreach (string after in afters)
                        yield return OracleCase.Of($"{before}{open} 'v' {close}{after}");

        string[] commentOpens = ["{#", "{#-", "{#+"];
        string[] commentCloses = ["#}", "-#}", "+#}"];
        foreach (string open in commentOpens)
            foreach (string close in commentCloses)
                foreach (string before in befores)
                    foreach (string after in afters)
                        yield return OracleCase.Of($"{before}{open} note {close}{after}");

        // raw blocks keep everything between the tags; the tags themselves strip like blocks.
        foreach (string before in befores)
            foreach (string after in afters)
            {
                yield return OracleCase.Of($"{before}{{% raw %}}{after}{{{{ x }}}}{{% if %}}{before}{{% endraw %}}{after}");
                yield return OracleCase.Of($"{before}{{%- raw -%}}{after}{{{{ x }}}}{before}{{%- endraw -%}}{after}");
                yield return OracleCase.Of($"{before}{{%+ raw %}}{after} x {before}{{%+ endraw +%}}{after}");
            }

        // Loops and nesting at line starts, the way chat templates are written.
        yield return OracleCase.Of("{% for m in [1, 2] %}\n  {% if m %}\n    {{ m }}\n  {% endif %}\n{% endfor %}\n");
        yield return OracleCase.Of("{%- for m in [1, 2] %}\n    {{- m }}\n{%- endfor %}\n\n");
        yield return OracleCase.Of("line1\n    {% set x = 1 %}\nline2 {% set y = 2 %}   \nline3\n");
        yield return OracleCase.Of("  {{ 1 }}  {% if true %}  x  {% endif %}  \n  {% if true %}\n");
        yield return OracleCase.Of("a\n\n\n");
        yield return OracleCase.Of("a\n");
        yield return OracleCase.Of("a\r\n\r\nb\rc\n");
        yield return OracleCase.Of("{{ 'x' }}\n");
        yield return OracleCase.Of("{% if true %}\n\n{% endif %}\n");
        yield return OracleCase.Of("\t{% if true %}\t\n\t{% endif %}\t\n");
        yield return OracleCase.Of("x {# c #} y\n  {# c #}\n  z");
        yield return OracleCase.Of("{% macro m() %}\n  body\n{% endmacro %}\n[{{ m() }}]\n");
        yield return OracleCase.Of("{% set x %}\n  captured\n{% endset %}\n[{{ x }}]");
        yield return OracleCase.Of("{{ '{%' }} {{ '%}' }} {{ '{{' }} {{ '}}' }} {{ '{#' }}");
        yield return OracleCase.Of("{{ {'a': {'b': 1}} }}|{{ {'a': {'b': 1}}['a'] }}");
        yield return OracleCase.Of("{% if true -%}   \n\n   {%- endif %}");
        yield return OracleCase.Of("{%- if true +%}\n  x\n{%+ endif -%}\n");
    }
}
