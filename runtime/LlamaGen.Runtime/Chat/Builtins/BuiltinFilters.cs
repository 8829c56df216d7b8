using System.Diagnostics.CodeAnalysis;
using LlamaGen.Chat.Evaluation;
using LlamaGen.Chat.Python;
using LlamaGen.Chat.Values;

namespace LlamaGen.Chat.Builtins;

/// <summary>
/// jinja2's builtin filters (<c>jinja2/filters.py</c>) with Hugging Face's <c>tojson</c>, each with the semantics and
/// parameters of the Python function it mirrors (the names appear in argument errors). Filters that jinja2 writes as
/// generators (<c>map</c>, <c>select</c>, <c>unique</c>, <c>batch</c>...) return lazy one-pass iterators here too.
/// </summary>
internal static partial class BuiltinFilters
{
    public delegate object? FilterFunction(TemplateRenderer renderer, object? value, CallArgs args);

    private static readonly Dictionary<string, FilterFunction> Filters = new(StringComparer.Ordinal)
    {
        ["abs"] = Abs,
        ["attr"] = Attr,
        ["batch"] = Batch,
        ["capitalize"] = (r, v, a) => { Bind("do_capitalize", a); return PythonStrings.Capitalize(SoftStr(v)); },
        ["center"] = Center,
        ["count"] = Length,
        ["d"] = Default,
        ["default"] = Default,
        ["dictsort"] = DictSort,
        ["e"] = Escape,
        ["escape"] = Escape,
        ["filesizeformat"] = FileSizeFormat,
        ["first"] = First,
        ["float"] = Float,
        ["forceescape"] = (r, v, a) => { Bind("do_forceescape", a); return new Markup(HtmlEscape.Escape(PythonRepr.Str(v))); },
        ["format"] = FormatFilter,
        ["groupby"] = GroupBy,
        ["indent"] = Indent,
        ["int"] = Int,
        ["items"] = Items,
        ["join"] = Join,
        ["last"] = Last,
        ["length"] = Length,
        ["list"] = (r, v, a) => { Bind("sync_do_list", a); return ToList(r, v); },
        ["lower"] = (r, v, a) => { Bind("do_lower", a); return PythonStrings.Lower(SoftStr(v)); },
        ["map"] = Map,
        ["max"] = (r, v, a) => MinMax(r, v, a, "do_max", max: true),
        ["min"] = (r, v, a) => MinMax(r, v, a, "do_min", max: false),
        ["random"] = RandomItem,
        ["reject"] = (r, v, a) => SelectOrReject(r, v, a, accept: false, attribute: false),
        ["rejectattr"] = (r, v, a) => SelectOrReject(r, v, a, accept: false, attribute: true),
        ["replace"] = Replace,
        ["reverse"] = Reverse,
        ["round"] = Round,
        ["safe"] = (r, v, a) => { Bind("do_mark_safe", a); return v is Markup ? v : new Markup(PythonRepr.Str(v)); },
        ["select"] = (r, v, a) => SelectOrReject(r, v, a, accept: true, attribute: false),
        ["selectattr"] = (r, v, a) => SelectOrReject(r, v, a, accept: true, attribute: true),
        ["slice"] = Slice,
        ["sort"] = Sort,
        ["string"] = (r, v, a) => { Bind("soft_str", a); return v is Markup ? v : PythonRepr.Str(v); },
        ["sum"] = Sum,
        ["title"] = Title,
        ["tojson"] = ToJson,
        ["trim"] = Trim,
        ["truncate"] = Truncate,
        ["unique"] = Unique,
        ["upper"] = (r, v, a) => { Bind("do_upper", a); return PythonStrings.Upper(SoftStr(v)); },
        ["urlencode"] = UrlEncode,
        ["wordcount"] = WordCount,
        ["wordwrap"] = WordWrap,
        ["xmlattr"] = XmlAttr,
    };

    public static bool Contains(string name) => Filters.ContainsKey(name);

    public static bool TryGet(string name, [MaybeNullWhen(false)] out FilterFunction filter) => Filters.TryGetValue(name, out filter);

    // ---- shared helpers ----

    // jinja2 filters that receive the environment or evaluation context first: Python counts it in argument errors.
    private static readonly HashSet<string> ContextTakingFunctions =
    [
        "sync_do_join", "do_replace", "do_xmlattr", "sync_do_first", "do_last", "do_sort", "sync_do_unique", "do_min", "do_max",
        "sync_do_groupby", "sync_do_sum", "do_attr", "do_truncate", "do_wordwrap",
    ];

    /// <summary>Binds a filter's arguments after the filtered value (which Python counts as the first positional).</summary>
    private static object?[] Bind(string function, CallArgs args, string[]? names = null, object?[]? defaults = null) =>
        ParameterBinder.Bind(function, args, names ?? [], defaults ?? [], leading: ContextTakingFunctions.Contains(function) ? 2 : 1);

    /// <summary>markupsafe's <c>soft_str</c>: str() of the value (Markup stays itself; here its text).</summary>
    private static string SoftStr(object? value) => PythonRepr.Str(value);

    private static object? IgnoreCase(object? value) => PythonOps.AsString(value) is string s ? PythonStrings.Lower(s) : value;

    /// <summary>jinja2's <c>make_attrgetter</c>: "a.b.0" looked up part by part with the sandbox's getitem.</summary>
    private static Func<object?, object?> AttributeGetter(TemplateRenderer renderer, object? attribute, Func<object?, object?>? postprocess = null, object? fallback = null)
    {
        object?[] parts = AttributeParts(attribute);
        return item =>
        {
            foreach (object? part in parts)
            {
                item = renderer.GetItem(item, part);
                if (fallback is not null && item is Undefined)
                    item = fallback;
            }
            return postprocess is null ? item : postprocess(item);
        };
    }

    /// <summary>jinja2's <c>make_multi_attrgetter</c>: "a,b" gives a list of each item's a and b.</summary>
    private static Func<object?, object?> MultiAttributeGetter(TemplateRenderer renderer, object? attribute, Func<object?, object?>? postprocess)
    {
        object?[] attributes = PythonOps.AsString(attribute) is string text ? text.Split(',') : [attribute];
        var getters = attributes.Select(a => AttributeGetter(renderer, a, postprocess)).ToArray();
        return item => getters.Select(getter => getter(item)).ToList();
    }

    private static object?[] AttributeParts(object? attribute)
    {
        if (attribute is null)
            return [];
        if (PythonOps.AsString(attribute) is string text)
            return text.Split('.').Select(part => PythonStrings.All(part, PythonChars.IsDigit) ? (object?)ParseDigits(part) : part).ToArray();
        return [attribute];
    }

    private static object ParseDigits(string digits)
    {
        System.Numerics.BigInteger value = 0;
        foreach (int c in PythonStrings.ToCodePoints(digits))
            value = value * 10 + Math.Max(0, PythonChars.DecimalValue(c) is var d and >= 0 ? d : System.Globalization.CharUnicodeInfo.GetDigitValue(char.ConvertFromUtf32(c), 0));
        return PythonOps.Normalize(value);
    }

    private static List<object?> ToList(TemplateRenderer renderer, object? value)
    {
        var list = new List<object?>();
        foreach (object? item in PythonOps.Iterate(value))
        {
            renderer.Budget.Step();
            list.Add(item);
            renderer.Budget.CheckCollection(list.Count);
        }
        return list;
    }

    private static IEnumerable<object?> Counted(TemplateRenderer renderer, IEnumerable<object?> items)
    {
        foreach (object? item in items)
        {
            renderer.Budget.Step();
            yield return item;
        }
    }
}
