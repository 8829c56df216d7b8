using System.Text;
using System.Text.RegularExpressions;
using LlamaGen.Chat.Evaluation;
using LlamaGen.Chat.Python;
using LlamaGen.Chat.Values;

namespace LlamaGen.Chat.Builtins;

internal static partial class BuiltinFilters
{
    // jinja2's _attr_key_re, inverted: a key with any of these is refused.
    [GeneratedRegex(@"[\s/>=]", RegexOptions.None, matchTimeoutMilliseconds: 1000)]
    private static partial Regex InvalidAttributeCharacter();

    private static object? Trim(TemplateRenderer renderer, object? value, CallArgs args)
    {
        var a = Bind("do_trim", args, ["chars"], [null]);
        if (a[0] is not null && PythonOps.AsString(a[0]) is null)
            throw PythonError.Type("strip arg must be None or str");
        return PythonStrings.Strip(SoftStr(value), PythonOps.AsString(a[0]), left: true, right: true);
    }

    private static object? Replace(TemplateRenderer renderer, object? value, CallArgs args)
    {
        var a = Bind("do_replace", args, ["old", "new", "count"], [null]);
        long count = a[2] is null ? -1 : StringMethods.RequireInt(a[2]);
        return PythonStrings.Replace(PythonRepr.Str(value), PythonRepr.Str(a[0]), PythonRepr.Str(a[1]), count, renderer.Budget);
    }

    // jinja2's own title(): upper-case the first character of each piece split at runs of "-", whitespace and "({[<".
    private static object? Title(TemplateRenderer renderer, object? value, CallArgs args)
    {
        Bind("do_title", args);
        string text = SoftStr(value);
        int[] cps = PythonStrings.ToCodePoints(text);
        var output = new StringBuilder(text.Length);
        int i = 0;
        while (i < cps.Length)
        {
            bool separator = IsTitleSeparator(cps[i]);
            int start = i;
            while (i < cps.Length && IsTitleSeparator(cps[i]) == separator)
                i++;
            string piece = PythonStrings.FromCodePoints(cps[start..i]);
            string first = PythonStrings.FromCodePoints(cps[start..(start + 1)]);
            output.Append(PythonStrings.Upper(first)).Append(PythonStrings.Lower(piece[first.Length..]));
        }
        return output.ToString();
    }

    private static bool IsTitleSeparator(int c) => c is '-' or '(' or '{' or '[' or '<' || PythonChars.IsSpace(c);

    private static object? Center(TemplateRenderer renderer, object? value, CallArgs args)
    {
        var a = Bind("do_center", args, ["width"], [80L]);
        return PythonStrings.Pad(SoftStr(value), StringMethods.RequireInt(a[0]), ' ', 0, renderer.Budget);
    }

    private static object? Escape(TemplateRenderer renderer, object? value, CallArgs args)
    {
        Bind("escape", args);
        return value is Markup ? value : new Markup(HtmlEscape.Escape(PythonRepr.Str(value)));
    }

    private static object? FormatFilter(TemplateRenderer renderer, object? value, CallArgs args)
    {
        if (args.Positional.Count > 0 && args.Keywords.Count > 0)
            throw new PythonError(ChatTemplateErrorKind.FilterArgument, "can't handle positional and keyword arguments at the same time");
        object? values;
        if (args.Keywords.Count > 0)
        {
            var mapping = new PyDict();
            foreach (var keyword in args.Keywords)
                mapping.Set(keyword.Key, keyword.Value);
            values = mapping;
        }
        else
        {
            values = new PyTuple([.. args.Positional]);
        }
        return PercentFormatter.Format(value is Markup ? value : SoftStr(value), values, renderer);
    }

    private static object? Indent(TemplateRenderer renderer, object? value, CallArgs args)
    {
        var a = Bind("do_indent", args, ["width", "first", "blank"], [4L, false, false]);
        string indention = a[0] switch
        {
            string s => s,
            Markup m => m.Value,
            _ => (string)PythonArithmetic.Multiply(" ", a[0], renderer.Budget)!,
        };
        // `s += "\n"`: only strings can be indented.
        if (value is Undefined undefined)
            throw undefined.Fail();
        string text = PythonOps.AsString(value)
            ?? throw PythonError.Type($"unsupported operand type(s) for +=: '{PythonOps.TypeName(value)}' and 'str'");
        text += "\n";
        List<object?> lines = PythonStrings.SplitLines(text, keepEnds: false);
        var output = new StringBuilder();
        if (PythonOps.Truthy(a[2]))
        {
            for (int i = 0; i < lines.Count; i++)
            {
                if (i > 0)
                    output.Append('\n').Append(indention);
                output.Append((string)lines[i]!);
                renderer.Budget.CheckString(output.Length);
            }
        }
        else
        {
            output.Append((string)lines[0]!);
            for (int i = 1; i < lines.Count; i++)
            {
                string line = (string)lines[i]!;
                output.Append('\n');
                if (line.Length > 0)
                    output.Append(indention);
                output.Append(line);
                renderer.Budget.CheckString(output.Length);
            }
        }
        string result = PythonOps.Truthy(a[1]) ? indention + output : output.ToString();
        return value is Markup ? new Markup(result) : result;
    }

    private static object? Truncate(TemplateRenderer renderer, object? value, CallArgs args)
    {
        var a = Bind("do_truncate", args, ["length", "killwords", "end", "leeway"], [255L, false, "...", null]);
        long length = StringMethods.RequireInt(a[0]);
        string end = PythonOps.AsString(a[2]) ?? throw PythonError.Type($"object of type '{PythonOps.TypeName(a[2])}' has no len()");
        long leeway = a[3] is null ? 5 : StringMethods.RequireInt(a[3]);
        int endLength = PythonStrings.CodePointCount(end);
        if (length < endLength)
            throw new PythonError(ChatTemplateErrorKind.PythonAssertion, $"expected length >= {endLength}, got {length}");
        if (leeway < 0)
            throw new PythonError(ChatTemplateErrorKind.PythonAssertion, $"expected leeway >= 0, got {leeway}");
        if (PythonOps.Length(value) <= length + leeway)
            return value;
        object? head = PythonSlice.Slice(value, null, length - endLength, null);
        if (PythonOps.Truthy(a[1]))
            return PythonArithmetic.Add(head, end, renderer.Budget);
        string text = PythonOps.AsString(head) ?? throw PythonError.Type($"'{PythonOps.TypeName(head)}' object has no attribute 'rsplit'");
        int space = text.LastIndexOf(' ');
        return (space >= 0 ? text[..space] : text) + end;
    }

    private static object? WordCount(TemplateRenderer renderer, object? value, CallArgs args)
    {
        Bind("do_wordcount", args);
        long count = 0;
        bool inWord = false;
        foreach (int c in PythonStrings.ToCodePoints(SoftStr(value)))
        {
            bool word = PythonChars.IsWordChar(c);
            if (word && !inWord)
                count++;
            inWord = word;
        }
        return count;
    }

    private static object? WordWrap(TemplateRenderer renderer, object? value, CallArgs args)
    {
        var a = Bind("do_wordwrap", args, ["width", "break_long_words", "wrapstring", "break_on_hyphens"], [79L, true, null, true]);
        string text = PythonOps.AsString(value) ?? throw PythonError.Type($"'{PythonOps.TypeName(value)}' object has no attribute 'splitlines'");
        long width = StringMethods.RequireInt(a[0]);
        if (width <= 0)
            throw PythonError.Value($"invalid width {width} (must be > 0)");
        string wrap = a[2] is null ? "\n" : PythonRepr.Str(a[2]);
        var wrapper = new TextWrapper((int)Math.Min(width, int.MaxValue), PythonOps.Truthy(a[1]), PythonOps.Truthy(a[3]));
        var lines = PythonStrings.SplitLines(text, keepEnds: false).Select(line => string.Join(wrap, wrapper.Wrap((string)line!)));
        return string.Join(wrap, lines);
    }

    private static object? ToJson(TemplateRenderer renderer, object? value, CallArgs args)
    {
        var a = ParameterBinder.Bind("tojson", args, ["ensure_ascii", "indent", "separators", "sort_keys"], [false, null, null, false], leading: 1);
        return JsonDumps.Dumps(value, a[0], a[1], a[2], a[3], renderer.Budget);
    }

    private static object? XmlAttr(TemplateRenderer renderer, object? value, CallArgs args)
    {
        var a = Bind("do_xmlattr", args, ["autospace"], [true]);
        if (value is not PyDict dict)
            throw new PythonError(ChatTemplateErrorKind.Attribute, $"'{PythonOps.TypeName(value)}' object has no attribute 'items'");
        var items = new List<string>();
        foreach (var entry in dict.Items)
        {
            if (entry.Value is null or Undefined)
                continue;
            string key = PythonRepr.Str(entry.Key);
            if (InvalidAttributeCharacter().IsMatch(key))
                throw PythonError.Value($"Invalid character in attribute name: {PythonRepr.Repr(entry.Key)}");
            items.Add($"{HtmlEscape.Escape(key)}=\"{HtmlEscape.Escape(PythonRepr.Str(entry.Value))}\"");
        }
        string result = string.Join(" ", items);
        if (PythonOps.Truthy(a[0]) && result.Length > 0)
            result = " " + result;
        return result;
    }

    // jinja2's url_quote: UTF-8, percent-escaped except letters, digits, "_.-~" (and "/" outside query strings);
    // in query strings a space becomes "+".
    private static string UrlQuote(object? value, bool forQueryString)
    {
        var output = new StringBuilder();
        foreach (byte b in Encoding.UTF8.GetBytes(PythonRepr.Str(value)))
        {
            if (b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9' or (byte)'_' or (byte)'.' or (byte)'-' or (byte)'~'
                || (b == '/' && !forQueryString))
                output.Append((char)b);
            else if (b == ' ' && forQueryString)
                output.Append('+');
            else
                output.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }
        return output.ToString();
    }

    private static object? UrlEncode(TemplateRenderer renderer, object? value, CallArgs args)
    {
        Bind("do_urlencode", args);
        if (PythonOps.IsString(value) || !PythonOps.IsIterable(value))
            return UrlQuote(value, forQueryString: false);
        IEnumerable<object?> pairs = value is PyDict dict ? dict.Items.Select(e => (object?)new PyTuple([e.Key, e.Value])) : PythonOps.Iterate(value);
        var parts = new List<string>();
        foreach (object? pair in pairs)
        {
            var kv = PythonOps.Iterate(pair).ToList();
            if (kv.Count != 2)
                throw PythonError.Value($"{(kv.Count > 2 ? "too many values to unpack" : "not enough values to unpack")} (expected 2, got {kv.Count})");
            parts.Add(UrlQuote(kv[0], forQueryString: true) + "=" + UrlQuote(kv[1], forQueryString: true));
            renderer.Budget.Step();
        }
        return string.Join("&", parts);
    }

    private static object? FileSizeFormat(TemplateRenderer renderer, object? value, CallArgs args)
    {
        var a = Bind("do_filesizeformat", args, ["binary"], [false]);
        bool binary = PythonOps.Truthy(a[0]);
        double bytes = PythonOps.IsNumber(value) ? PythonOps.ToDouble(value)
            : PythonOps.AsString(value) is string s && double.TryParse(s.Trim(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double parsed)
                ? parsed
                : throw PythonError.Value($"could not convert string to float: {PythonRepr.Repr(value)}");
        double unitBase = binary ? 1024 : 1000;
        string[] prefixes = binary
            ? ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"]
            : ["kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];
        if (bytes == 1)
            return "1 Byte";
        if (bytes < unitBase)
            return $"{(long)bytes} Bytes";
        double unit = 0;
        string prefix = prefixes[0];
        for (int i = 0; i < prefixes.Length; i++)
        {
            unit = Math.Pow(unitBase, i + 2);
            prefix = prefixes[i];
            if (bytes < unit)
                break;
        }
        return FloatFormatting.FormatFixed(unitBase * bytes / unit, 1) + " " + prefix;
    }
}
