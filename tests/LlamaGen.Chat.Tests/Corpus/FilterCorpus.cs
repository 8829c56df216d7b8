using LlamaGen.Chat.Tests.Oracle;

namespace LlamaGen.Chat.Tests.Corpus;

/// <summary>Every builtin filter with its arguments, on the values real templates pass (and a few they should not).</summary>
public static class FilterCorpus
{
    private const string Data = """
        {"xs": [3, 1, 2], "words": ["banana", "Apple", "cherry", "apple"], "d": {"b": 2, "A": 3, "a": 1},
         "s": "  Hello, wörld! it's a TEST-case (with) [brackets] and <tags>  ", "emoji": "a😀b", "n": -5, "f": 2.675, "none": null,
         "people": [{"name": "Ann", "age": 31, "city": "Oslo", "tags": ["x"]}, {"name": "bob", "age": 25, "city": "oslo"}, {"name": "Cid", "age": 31, "city": "Rome"}],
         "tool": {"type": "function", "function": {"name": "get_weather", "description": "Weather \"now\" <in> a city & ünïcode",
                  "parameters": {"type": "object", "properties": {"city": {"type": "string"}, "days": {"type": "integer", "minimum": 1.0}},
                  "required": ["city"]}}},
         "ml": "line one\nline two\n\nline four\r\nline five", "long": "The quick brown fox jumps over the lazy dog, then keeps on running through the forest-covered hills until sunset."}
        """;

    public static IEnumerable<OracleCase> Cases()
    {
        string[] templates =
        [
            "{{ n|abs }} {{ -2.5|abs }} {{ true|abs }}", "{{ 'x'|abs }}", "{{ d|attr('items') }} {{ d|attr('a') }} {{ people[0]|attr('name') }}", "{{ s|attr('upper')() }}",
            "{{ xs|batch(2)|list }} {{ xs|batch(2, 'X')|list }} {{ []|batch(3)|list }} {{ 'abcde'|batch(2)|list }}", "{{ xs|batch(0)|list }}",
            "{{ 'hello WORLD'|capitalize }} {{ 'ǆemal'|capitalize }} {{ none|capitalize }} {{ 5|capitalize }}",
            "[{{ 'ab'|center(7) }}] [{{ 'ab'|center(8) }}] [{{ 'abc'|center(2) }}] [{{ emoji|center(9) }}]", "{{ 'a'|center(2.5) }}",
            "{{ xs|count }} {{ 'abc'|length }} {{ emoji|length }} {{ d|length }} {{ missing|length }} {{ none|length }}", "{{ 5|length }}",
            "{{ missing|default('d') }} {{ none|default('d') }} {{ ''|default('d') }} {{ ''|default('d', true) }} {{ 0|d('z', boolean=true) }} {{ missing|d }}|",
            "{{ d|dictsort }} {{ d|dictsort(true) }} {{ d|dictsort(by='value') }} {{ d|dictsort(reverse=true) }}", "{{ d|dictsort(by='x') }}", "{{ xs|dictsort }}",
            "{{ '<a href=\"x\">&\\'</a>'|e }} {{ '<b>'|escape|e }} {{ 5|escape }} {{ none|e }}", "{{ xs|first }} {{ 'abc'|first }} {{ []|first }} {{ d|first }}", "{{ 5|first }}",
            "{{ '3.5'|float }} {{ 'x'|float }} {{ 'x'|float(1.5) }} {{ 3|float }} {{ ' 1e3 '|float }} {{ 'inf'|float }} {{ 'nan'|float }} {{ '1_0.5'|float }} {{ none|float }} {{ true|float }}",
            "{{ missing|float }}", "{{ '%s=%d'|format('a', 5) }} {{ '%(x)s'|format(x='kw') }} {{ '%.2f'|format(f) }}", "{{ '%s'|format('a', x=1) }}",
            "{% for g in people|groupby('city') %}{{ g.grouper }}:{{ g.list|map(attribute='name')|join(',') }};{% endfor %}",
            "{% for city, ps in people|groupby('city', case_sensitive=true) %}{{ city }}={{ ps|length }};{% endfor %}", "{{ people|groupby('age') }}",
            "{% for g in people|groupby('missing', default='none') %}{{ g.grouper }}{{ g.list|length }}{% endfor %}",
            "{{ ml|indent }}|{{ ml|indent(2, true) }}|{{ ml|indent('> ', blank=true) }}|{{ ''|indent(first=true) }}|{{ 'x\\n'|indent }}", "{{ 5|indent }}", "{{ missing|indent }}",
            "{{ '42'|int }} {{ ' 42 '|int }} {{ '4.7'|int }} {{ 4.7|int }} {{ -4.7|int }} {{ 'x'|int }} {{ 'x'|int(-1) }} {{ '0x1A'|int(0, 16) }} {{ '0x1A'|int(base=0) }} {{ '1_000'|int }} {{ 'ff'|int(base=16) }} {{ none|int }} {{ true|int }} {{ '1e3'|int }} {{ 'inf'|int }}",
            "{{ missing|int }}", "{{ d|items|list }} {{ missing|items|list }}", "{{ xs|items }}", "{{ xs|join }} {{ xs|join(', ') }} {{ people|join('|', attribute='name') }} {{ [1, none, 'a']|join('-') }}",
            "{{ tool.function.parameters.properties|join(',') }}", "{{ xs|last }} {{ 'abc'|last }} {{ []|last }} {{ d|last }}", "{{ xs|map('string')|last }}",
            "{{ 'abc'|list }} {{ d|list }} {{ xs|list }} {{ range(3)|list }} {{ missing|list }} {{ d.items()|list }}", "{{ 5|list }}",
            "{{ 'HeLLo ÄÖ ß'|lower }} {{ 'hello ß ﬁ'|upper }} {{ 'ΣΑΣ ΟΔΟΣ'|lower }} {{ none|upper }}",
            "{{ xs|map('string')|join }} {{ people|map(attribute='name')|list }} {{ people|map(attribute='missing', default='?')|list }} {{ words|map('upper')|list }} {{ xs|map('default', 0)|list }}",
            "{{ people|map(attribute='tags.0')|list }} {{ [[1, 2], [3]]|map('length')|list }} {{ missing|map('upper')|list }} {{ xs|map }}", "{{ xs|map|list }}", "{{ xs|map(attribute='a', x=1)|list }}",
            "{{ xs|max }} {{ xs|min }} {{ words|max }} {{ words|min }} {{ words|max(case_sensitive=true) }} {{ people|max(attribute='age') }} {{ people|min(attribute='name') }} {{ []|max }}",
            "{{ xs|select('odd')|list }} {{ xs|reject('odd')|list }} {{ [0, 1, '', 'a', none]|select|list }} {{ xs|select('greaterthan', 1)|list }} {{ xs|select('>', 1)|list }} {{ xs|select('in', [1, 3])|list }}",
            "{{ people|selectattr('age', '==', 31)|map(attribute='name')|list }} {{ people|rejectattr('city', 'equalto', 'Oslo')|list|length }} {{ people|selectattr('tags')|list|length }} {{ people|selectattr('tags', 'defined')|list|length }}",
            "{{ people|selectattr('city', 'lower')|list|length }} {{ xs|select('nosuchtest')|list }}", "{{ people|selectattr()|list }}", "{{ missing|select('odd')|list }}",
            "{{ s|replace('l', 'L') }} {{ s|replace('l', 'L', 1) }} {{ 'aaa'|replace('', '-') }} {{ 123|replace('2', 'x') }} {{ none|replace('o', '0') }} {{ 'abc'|replace('b', none) }}",
            "{{ xs|reverse|list }} {{ 'abc'|reverse }} {{ emoji|reverse }} {{ d|reverse|list }} {{ (1, 2)|reverse|list }} {{ range(3)|reverse|list }} {{ xs|map('string')|reverse }}", "{{ 5|reverse }}",
            "{{ f|round }} {{ f|round(2) }} {{ f|round(1, 'floor') }} {{ f|round(1, 'ceil') }} {{ 2.5|round }} {{ 3.5|round }} {{ -2.5|round }} {{ 7|round }} {{ 1234|round(-2) }} {{ 0.125|round(2) }} {{ 1e20|round(2) }} {{ 5|round(1, 'ceil') }}",
            "{{ 'x'|round }}", "{{ f|round(1, 'up') }}", "{{ '<b>'|safe }} {{ 5|safe }}", "{{ xs|slice(2)|list }} {{ range(10)|slice(3)|list }} {{ range(10)|slice(3, 'x')|list }} {{ []|slice(2)|list }}",
            "{{ words|sort }} {{ words|sort(case_sensitive=true) }} {{ words|sort(reverse=true) }} {{ people|sort(attribute='age')|map(attribute='name')|list }} {{ people|sort(attribute='age,name')|map(attribute='name')|list }}",
            "{{ [3, 1.5, true, 0]|sort }} {{ 'cab'|sort }} {{ d|sort }}", "{{ [1, 'a']|sort }}", "{{ 5|string }} {{ none|string }} {{ [1]|string }} {{ 'x'|string }} {{ 1.0|string }}",
            "{{ xs|sum }} {{ people|sum(attribute='age') }} {{ xs|sum(start=10) }} {{ [1.5, 2]|sum }} {{ [[1], [2]]|sum(start=[]) }}", "{{ ['a', 'b']|sum }}", "{{ ['a']|sum(start='') }}",
            "{{ 'hello world-wide (test) [x] <y> {z}'|title }} {{ \"it's o'neil\"|title }} {{ 'ǆemal ßtraße'|title }} {{ '  lead  space'|title }} {{ 5|title }}",
            "{{ tool|tojson }}", "{{ tool|tojson(indent=2) }}", "{{ tool|tojson(indent=4) }}", "{{ [1, 2.0, true, none, 'x']|tojson }} {{ {'a': [], 'b': {}}|tojson(indent=2) }} {{ 'ünï \\n \"q\" \\\\ \\t \\x01 \\x7f'|tojson }}",
            "{{ 'ünï 😀'|tojson(ensure_ascii=true) }} {{ d|tojson(sort_keys=true) }} {{ d|tojson(separators=(',', ':')) }} {{ xs|tojson(indent='\\t') }} {{ xs|tojson(indent=0) }} {{ (1, 2)|tojson }}",
            "{{ {1: 'a', none: 'b', true: 'c', 2.5: 'd'}|tojson }} {{ 1e100|tojson }} {{ 1.0|tojson }} {{ 10**30|tojson }} {{ (1e309)|tojson }} {{ [-1e309, 1e309 - 1e309]|tojson }}",
            "{{ missing|tojson }}", "{{ namespace(a=1)|tojson }}", "{{ xs|map('string')|tojson }}", "{{ {(1, 2): 3}|tojson }}", "{{ {'a': 1}|tojson(sort_keys=true, indent=1) }}",
            "[{{ s|trim }}] [{{ s|trim('  H') }}] [{{ '\\u3000x\\u00a0'|trim }}] [{{ none|trim }}] [{{ 'xxhixx'|trim('x') }}]",
            "{{ long|truncate(30) }}|{{ long|truncate(30, true) }}|{{ long|truncate(30, end='…') }}|{{ long|truncate(200) }}|{{ long|truncate(30, leeway=0) }}|{{ 'short'|truncate(3) }}",
            "{{ 'abc'|truncate(2) }}", "{{ words|unique|list }} {{ words|unique(case_sensitive=true)|list }} {{ people|unique(attribute='city')|map(attribute='name')|list }} {{ [1, 1.0, true, 2]|unique|list }}",
            "{{ [[1], [1]]|unique|list }}", "{{ s|wordcount }} {{ 'ünï-cödé foo_bar 42'|wordcount }} {{ ''|wordcount }}",
            "{{ long|wordwrap(20) }}|{{ long|wordwrap(10, false) }}|{{ long|wordwrap(15, wrapstring='<br>') }}|{{ 'a-very-long-hyphenated-word-indeed'|wordwrap(8) }}|{{ 'a-very-long-hyphenated-word-indeed'|wordwrap(8, break_on_hyphens=false) }}",
            "{{ ml|wordwrap(6) }}", "{{ {'class': 'x', 'id': none, 'data': '<&>'}|xmlattr }}|{{ {'a': 1}|xmlattr(false) }}", "{{ 1500|filesizeformat }} {{ 1|filesizeformat }} {{ 1048576|filesizeformat(true) }} {{ 300|filesizeformat }}",
            "{{ 'a b&c/d?é'|urlencode }} {{ {'q': 'a b', 'x': 1}|urlencode }} {{ [('k', 'v/w'), ('é', none)]|urlencode }} {{ 5|urlencode }}",
            "{{ [7]|random }} {{ 'a'|random }} {{ []|random }}|", "{{ 5|random }}",
            "{{ 'x'|nosuchfilter }}", "{% if false %}{{ 'x'|nosuchfilter }}{% endif %}ok", "{% if true %}{{ 'x'|nosuchfilter }}{% endif %}", "{{ 'x' if false else 'y'|nosuchfilter }}",
            "{{ 'x'|trim(1, 2) }}", "{{ 'x'|trim(bad=1) }}", "{{ 'x'|join(1, 2, 3) }}", "{{ xs|batch() }}",
        ];
        foreach (string template in templates)
            yield return OracleCase.Of(template, Data);
    }
}
