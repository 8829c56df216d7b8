using System.Text;
using LlamaGen.Chat.Evaluation;
using LlamaGen.Chat.Python;
using LlamaGen.Chat.Values;

namespace LlamaGen.Chat.Builtins;

/// <summary>The <c>str</c> methods a template may call (<c>content.strip()</c>, <c>'a,b'.split(',')</c>...), with Python's semantics.</summary>
internal static class StringMethods
{
    public static object? Invoke(TemplateRenderer renderer, string s, string name, CallArgs args)
    {
        ExecutionBudget budget = renderer.Budget;
        budget.Step(1 + s.Length / 64);
        switch (name)
        {
            case "strip" or "lstrip" or "rstrip":
                {
                    var a = ParameterBinder.Positional(name, args, 0, 1);
                    object? chars = a.Count > 0 ? a[0] : null;
                    if (chars is not null && PythonOps.AsString(chars) is null)
                        throw PythonError.Type($"{name} arg must be None or str");
                    return PythonStrings.Strip(s, PythonOps.AsString(chars), left: name != "rstrip", right: name != "lstrip");
                }
            case "split" or "rsplit":
                {
                    var bound = ParameterBinder.Bind(name, args, ["sep", "maxsplit"], [null, -1L]);
                    string? separator = bound[0] is null ? null : PythonOps.AsString(bound[0]) ?? throw PythonError.Type($"must be str or None, not {PythonOps.TypeName(bound[0])}");
                    long maxSplit = RequireInt(bound[1]);
                    return name == "split" ? PythonStrings.Split(s, separator, maxSplit) : PythonStrings.RSplit(s, separator, maxSplit);
                }
            case "splitlines":
                {
                    var bound = ParameterBinder.Bind(name, args, ["keepends"], [false]);
                    return PythonStrings.SplitLines(s, PythonOps.Truthy(bound[0]));
                }
            case "startswith" or "endswith":
                {
                    var a = ParameterBinder.Positional(name, args, 1, 3);
                    var (lo, hi) = PythonStrings.Bounds(s, a.Count > 1 ? a[1] : null, a.Count > 2 ? a[2] : null);
                    string range = hi >= lo ? PythonStrings.Substring(s, lo, hi) : null!;
                    IEnumerable<object?> candidates = a[0] is PyTuple tuple ? tuple.Items : [a[0]];
                    foreach (object? candidate in candidates)
                    {
                        string prefix = PythonOps.AsString(candidate)
                            ?? throw PythonError.Type(a[0] is PyTuple
                                ? $"tuple for {name} must only contain str, not {PythonOps.TypeName(candidate)}"
                                : $"{name} first arg must be str or a tuple of str, not {PythonOps.TypeName(candidate)}");
                        if (range is not null && (name == "startswith"
                                ? range.StartsWith(prefix, StringComparison.Ordinal)
                                : range.EndsWith(prefix, StringComparison.Ordinal)))
                            return true;
                    }
                    return false;
                }
            case "find" or "rfind" or "index" or "rindex":
                {
                    var a = ParameterBinder.Positional(name, args, 1, 3);
                    string sub = RequireString(a[0]);
                    long at = PythonStrings.Find(s, sub, a.Count > 1 ? a[1] : null, a.Count > 2 ? a[2] : null, fromRight: name[0] == 'r');
                    if (at < 0 && name.EndsWith("index", StringComparison.Ordinal))
                        throw PythonError.Value("substring not found");
                    return at;
                }
            case "count":
                {
                    var a = ParameterBinder.Positional(name, args, 1, 3);
                    return PythonStrings.Count(s, RequireString(a[0]), a.Count > 1 ? a[1] : null, a.Count > 2 ? a[2] : null);
                }
            case "replace":
                {
                    var a = ParameterBinder.Positional(name, args, 2, 3);
                    long count = a.Count > 2 ? RequireInt(a[2]) : -1;
                    return PythonStrings.Replace(s, RequireString(a[0]), RequireString(a[1]), count, budget);
                }
            case "upper": ParameterBinder.Positional("str." + name, args, 0, 0); return PythonStrings.Upper(s);
            case "lower": ParameterBinder.Positional("str." + name, args, 0, 0); return PythonStrings.Lower(s);
            case "casefold": ParameterBinder.Positional("str." + name, args, 0, 0); return PythonStrings.CaseFold(s);
            case "title": ParameterBinder.Positional("str." + name, args, 0, 0); return PythonStrings.Title(s);
            case "capitalize": ParameterBinder.Positional("str." + name, args, 0, 0); return PythonStrings.Capitalize(s);
            case "swapcase": ParameterBinder.Positional("str." + name, args, 0, 0); return PythonStrings.SwapCase(s);
            case "join":
                {
                    var a = ParameterBinder.Positional(name, args, 1, 1);
                    var builder = new StringBuilder();
                    int i = 0;
                    foreach (object? item in PythonOps.Iterate(a[0]))
                    {
                        budget.Step();
                        string part = PythonOps.AsString(item)
                            ?? throw PythonError.Type($"sequence item {i}: expected str instance, {PythonOps.TypeName(item)} found");
                        if (i++ > 0)
                            builder.Append(s);
                        budget.CheckString((long)builder.Length + part.Length);
                        builder.Append(part);
                    }
                    return builder.ToString();
                }
            case "format":
                {
                    var kwargs = new PyDict();
                    foreach (var keyword in args.Keywords)
                        kwargs.Set(keyword.Key, keyword.Value);
                    return StringFormatter.Format(s, args.Positional, kwargs, renderer);
                }
            case "format_map":
                {
                    if (args.Keywords.Count > 0)
                        throw PythonError.Type("format_map() takes no keyword arguments");
                    if (args.Positional.Count != 1)
                        throw PythonError.Type($"format_map() takes exactly one argument ({args.Positional.Count} given)");
                    if (args.Positional[0] is not PyDict mapping)
                        throw PythonError.Type($"'{PythonOps.TypeName(args.Positional[0])}' object is not a mapping");
                    return StringFormatter.Format(s, [], mapping, renderer);
                }
            case "center" or "ljust" or "rjust":
                {
                    var a = ParameterBinder.Positional(name, args, 1, 2);
                    long width = RequireInt(a[0]);
                    int fill = ' ';
                    if (a.Count > 1)
                    {
                        string? fillText = PythonOps.AsString(a[1]);
                        if (fillText is null || PythonStrings.CodePointCount(fillText) != 1)
                            throw PythonError.Type(fillText is null
                                ? $"{name}() argument 2 must be str, not {PythonOps.TypeName(a[1])}"
                                : "The fill character must be exactly one character long");
                        fill = char.ConvertToUtf32(fillText, 0);
                    }
                    return PythonStrings.Pad(s, width, fill, name switch { "ljust" => -1, "rjust" => 1, _ => 0 }, budget);
                }
            case "zfill":
                return PythonStrings.ZFill(s, RequireInt(ParameterBinder.Positional(name, args, 1, 1)[0]), budget);
            case "expandtabs":
                {
                    var bound = ParameterBinder.Bind(name, args, ["tabsize"], [8L]);
                    return PythonStrings.ExpandTabs(s, RequireInt(bound[0]), budget);
                }
            case "partition" or "rpartition":
                {
                    string separator = RequireString(ParameterBinder.Positional(name, args, 1, 1)[0]);
                    if (separator.Length == 0)
                        throw PythonError.Value("empty separator");
                    int at = name == "partition" ? s.IndexOf(separator, StringComparison.Ordinal) : s.LastIndexOf(separator, StringComparison.Ordinal);
                    if (at < 0)
                        return name == "partition" ? new PyTuple([s, "", ""]) : new PyTuple(["", "", s]);
                    return new PyTuple([s[..at], separator, s[(at + separator.Length)..]]);
                }
            case "removeprefix":
                {
                    string prefix = RequireString(ParameterBinder.Positional(name, args, 1, 1)[0]);
                    return prefix.Length > 0 && s.StartsWith(prefix, StringComparison.Ordinal) ? s[prefix.Length..] : s;
                }
            case "removesuffix":
                {
                    string suffix = RequireString(ParameterBinder.Positional(name, args, 1, 1)[0]);
                    return suffix.Length > 0 && s.EndsWith(suffix, StringComparison.Ordinal) ? s[..^suffix.Length] : s;
                }
            case "isalnum": return Predicate(name, args, s, PythonChars.IsAlnum);
            case "isalpha": return Predicate(name, args, s, PythonChars.IsAlpha);
            case "isascii": ParameterBinder.Positional("str." + name, args, 0, 0); return s.All(c => c < 0x80);
            case "isdecimal": return Predicate(name, args, s, PythonChars.IsDecimal);
            case "isdigit": return Predicate(name, args, s, PythonChars.IsDigit);
            case "isnumeric": return Predicate(name, args, s, PythonChars.IsNumeric);
            case "isspace": return Predicate(name, args, s, PythonChars.IsSpace);
            case "isprintable":
                ParameterBinder.Positional("str." + name, args, 0, 0);
                return s.Length == 0 || PythonStrings.All(s, PythonChars.IsPrintable);
            case "isidentifier":
                ParameterBinder.Positional("str." + name, args, 0, 0);
                {
                    int[] cps = PythonStrings.ToCodePoints(s);
                    return cps.Length > 0 && PythonChars.IsIdentifierStart(cps[0]) && cps.Skip(1).All(PythonChars.IsIdentifierContinue);
                }
            case "islower": ParameterBinder.Positional("str." + name, args, 0, 0); return PythonStrings.IsLower(s);
            case "isupper": ParameterBinder.Positional("str." + name, args, 0, 0); return PythonStrings.IsUpper(s);
            case "istitle": ParameterBinder.Positional("str." + name, args, 0, 0); return PythonStrings.IsTitle(s);
        }
        // encode, translate and maketrans need bytes or translation tables, which templates have no way to use.
        throw PythonError.Type($"str.{name}() is not supported in chat templates");
    }

    private static bool Predicate(string name, CallArgs args, string s, Func<int, bool> test)
    {
        ParameterBinder.Positional("str." + name, args, 0, 0);
        return PythonStrings.All(s, test);
    }

    public static string RequireString(object? value) =>
        PythonOps.AsString(value) ?? throw PythonError.Type($"must be str, not {PythonOps.TypeName(value)}");

    public static long RequireInt(object? value)
    {
        if (value is long or bool or System.Numerics.BigInteger)
            return PythonSlice.ToIndex(value);
        throw PythonError.Type($"'{PythonOps.TypeName(value)}' object cannot be interpreted as an integer");
    }
}
