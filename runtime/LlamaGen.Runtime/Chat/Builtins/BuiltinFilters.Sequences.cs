using System.Text;
using LlamaGen.Chat.Evaluation;
using LlamaGen.Chat.Python;
using LlamaGen.Chat.Values;

namespace LlamaGen.Chat.Builtins;

internal static partial class BuiltinFilters
{
    private static object? Length(TemplateRenderer renderer, object? value, CallArgs args)
    {
        ParameterBinder.Positional("len", args, 0, 0);
        return PythonOps.Length(value);
    }

    private static object? Default(TemplateRenderer renderer, object? value, CallArgs args)
    {
        var a = Bind("do_default", args, ["default_value", "boolean"], ["", false]);
        if (value is Undefined || (PythonOps.Truthy(a[1]) && !PythonOps.Truthy(value)))
            return a[0];
        return value;
    }

    private static object? Attr(TemplateRenderer renderer, object? value, CallArgs args)
    {
        var a = Bind("do_attr", args, ["name"]);
        string name = PythonOps.AsString(a[0]) ?? throw PythonError.Type("attribute name must be string");
        if (value is Undefined undefined)
            throw undefined.Fail();
        // attr() reads attributes only, never items: a dict key of that name is not found.
        return MemberAccess.GetAttributeOnly(value, name);
    }

    private static object? First(TemplateRenderer renderer, object? value, CallArgs args)
    {
        Bind("sync_do_first", args);
        foreach (object? item in PythonOps.Iterate(value))
            return item;
        return Undefined.WithHint("No first item, sequence was empty.");
    }

    private static object? Last(TemplateRenderer renderer, object? value, CallArgs args)
    {
        Bind("do_last", args);
        IEnumerable<object?> reversed = Reversed(value)
            ?? throw PythonError.Type($"'{PythonOps.TypeName(value)}' object is not reversible");
        foreach (object? item in reversed)
            return item;
        return Undefined.WithHint("No last item, sequence was empty.");
    }

    /// <summary>Python's <c>reversed(value)</c> for the types that support it, or null.</summary>
    private static IEnumerable<object?>? Reversed(object? value) => value switch
    {
        List<object?> list => Enumerable.Range(0, list.Count).Reverse().Select(i => list[i]),
        PyTuple tuple => tuple.Items.Reverse(),
        string or Markup => PythonOps.Iterate(value).Reverse(),
        PyRange range => PythonOps.Iterate(range).Reverse(),
        PyDict dict => dict.Keys.Reverse(),
        DictView { Kind: not DictViewKind.Values } view => view.Iterate().Reverse(),
        DictView view => view.Iterate().Reverse(),
        Undefined => [],
        _ => null,
    };

    private static object? Reverse(TemplateRenderer renderer, object? value, CallArgs args)
    {
        Bind("do_reverse", args);
        if (value is string s)
            return PythonSlice.Slice(s, null, null, -1L);
        if (value is Markup)
            return PythonSlice.Slice(value, null, null, -1L);
        if (Reversed(value) is { } reversed)
        {
            string typeName = value switch
            {
                List<object?> => "list_reverseiterator",
                PyRange => "range_iterator",
                PyDict => "dict_reversekeyiterator",
                _ => "reversed",
            };
            return new PyIterator(reversed.ToList(), typeName);
        }
        if (!PythonOps.IsIterable(value))
            throw new PythonError(ChatTemplateErrorKind.FilterArgument, "argument must be iterable");
        List<object?> items = ToList(renderer, value);
        items.Reverse();
        return items;
    }

    // random.choice: a random item of a sequence (not reproducible, so of little use in a prompt, but jinja2 has it).
    private static object? RandomItem(TemplateRenderer renderer, object? value, CallArgs args)
    {
        ParameterBinder.Bind("do_random", args, [], [], leading: 2);
        if (value is not (List<object?> or PyTuple or string or Markup or PyRange))
            throw PythonError.Type($"object of type '{PythonOps.TypeName(value)}' has no len()");
        long count = PythonOps.Length(value);
        if (count == 0)
            return Undefined.WithHint("No random item, sequence was empty.");
        return renderer.GetItem(value, Random.Shared.NextInt64(count));
    }

    private static object? Join(TemplateRenderer renderer, object? value, CallArgs args)
    {
        var a = Bind("sync_do_join", args, ["d", "attribute"], ["", null]);
        IEnumerable<object?> items = PythonOps.Iterate(value);
        if (a[1] is not null)
        {
            var getter = AttributeGetter(renderer, a[1]);
            items = items.Select(getter);
        }
        string separator = PythonRepr.Str(a[0]);
        var output = new StringBuilder();
        bool first = true;
        foreach (object? item in items)
        {
            renderer.Budget.Step();
            if (!first)
                output.Append(separator);
            first = false;
            string text = PythonRepr.Str(item);
            renderer.Budget.CheckString((long)output.Length + text.Length);
            output.Append(text);
        }
        return output.ToString();
    }

    private static object? Items(TemplateRenderer renderer, object? value, CallArgs args)
    {
        Bind("do_items", args);
        IEnumerable<object?> Generate()
        {
            if (value is Undefined)
                yield break;
            if (value is not PyDict dict)
                throw PythonError.Type("Can only get item pairs from a mapping.");
            foreach (var pair in dict.Items)
                yield return new PyTuple([pair.Key, pair.Value]);
        }
        return new PyIterator(Generate(), "generator", "do_items");
    }

    private static object? DictSort(TemplateRenderer renderer, object? value, CallArgs args)
    {
        var a = Bind("do_dictsort", args, ["case_sensitive", "by", "reverse"], [false, "key", false]);
        int position = PythonOps.AsString(a[1]) switch
        {
            "key" => 0,
            "value" => 1,
            _ => throw new PythonError(ChatTemplateErrorKind.FilterArgument, "You can only sort by either \"key\" or \"value\""),
        };
        if (value is not PyDict dict)
            throw new PythonError(ChatTemplateErrorKind.Attribute, $"'{PythonOps.TypeName(value)}' object has no attribute 'items'");
        bool caseSensitive = PythonOps.Truthy(a[0]);
        var pairs = dict.Items.Select(pair => (object?)new PyTuple([pair.Key, pair.Value])).ToList();
        renderer.Budget.Step(pairs.Count);
        PythonSort.Sort(pairs, pair =>
        {
            object? key = ((PyTuple)pair!).Items[position];
            return caseSensitive ? key : IgnoreCase(key);
        }, PythonOps.Truthy(a[2]));
        return pairs;
    }

    private static object? Sort(TemplateRenderer renderer, object? value, CallArgs args)
    {
        var a = Bind("do_sort", args, ["reverse", "case_sensitive", "attribute"], [false, false, null]);
        var key = MultiAttributeGetter(renderer, a[2], PythonOps.Truthy(a[1]) ? null : IgnoreCase);
        List<object?> items = ToList(renderer, value);
        renderer.Budget.Step(items.Count);
        PythonSort.Sort(items, key, PythonOps.Truthy(a[0]));
        return items;
    }

    private static object? Unique(TemplateRenderer renderer, object? value, CallArgs args)
    {
        var a = Bind("sync_do_unique", args, ["case_sensitive", "attribute"], [false, null]);
        var getter = AttributeGetter(renderer, a[1], PythonOps.Truthy(a[0]) ? null : IgnoreCase);
        IEnumerable<object?> Generate()
        {
            var seen = new PyDict();
            foreach (object? item in Counted(renderer, PythonOps.Iterate(value)))
            {
                object? key = getter(item);
                if (!seen.ContainsKey(key))
                {
                    seen.Set(key, null);
                    yield return item;
                }
            }
        }
        return new PyIterator(Generate(), "generator", "sync_do_unique");
    }

    private static object? MinMax(TemplateRenderer renderer, object? value, CallArgs args, string function, bool max)
    {
        var a = Bind(function, args, ["case_sensitive", "attribute"], [false, null]);
        List<object?> items = ToList(renderer, value);
        if (items.Count == 0)
            return Undefined.WithHint("No aggregated item, sequence was empty.");
        var key = AttributeGetter(renderer, a[1], PythonOps.Truthy(a[0]) ? null : IgnoreCase);
        object? best = items[0];
        object? bestKey = key(best);
        for (int i = 1; i < items.Count; i++)
        {
            object? k = key(items[i]);
            // max() keeps the first of equal items, as min() does: replace only on a strict improvement.
            if (max ? PythonOps.Less(bestKey, k) : PythonOps.Less(k, bestKey))
            {
                best = items[i];
                bestKey = k;
            }
        }
        return best;
    }

    private static object? Sum(TemplateRenderer renderer, object? value, CallArgs args)
    {
        var a = Bind("sync_do_sum", args, ["attribute", "start"], [null, 0L]);
        IEnumerable<object?> items = PythonOps.Iterate(value);
        if (a[0] is not null)
            items = items.Select(AttributeGetter(renderer, a[0]));
        object? total = a[1];
        if (PythonOps.IsString(total))
            throw PythonError.Type("sum() can't sum strings [use ''.join(seq) instead]");
        foreach (object? item in items)
        {
            renderer.Budget.Step();
            total = PythonArithmetic.Add(total, item, renderer.Budget);
        }
        return total;
    }

    private static object? Map(TemplateRenderer renderer, object? value, CallArgs args)
    {
        // jinja2's map is a generator: nothing (not even its arguments) is looked at until it is iterated.
        IEnumerable<object?> Generate()
        {
            if (!PythonOps.Truthy(value))
                yield break;
            Func<object?, object?> function;
            if (args.Positional.Count == 0 && args.HasKeyword("attribute"))
            {
                var keywords = new List<KeyValuePair<string, object?>>(args.Keywords);
                object? attribute = keywords.First(k => k.Key == "attribute").Value;
                keywords.RemoveAll(k => k.Key == "attribute");
                object? fallback = null;
                int at = keywords.FindIndex(k => k.Key == "default");
                if (at >= 0)
                {
                    fallback = keywords[at].Value;
                    keywords.RemoveAt(at);
                }
                if (keywords.Count > 0)
                    throw new PythonError(ChatTemplateErrorKind.FilterArgument, $"Unexpected keyword argument {PythonRepr.ReprString(keywords[0].Key)}");
                function = AttributeGetter(renderer, attribute, fallback: fallback);
            }
            else
            {
                if (args.Positional.Count == 0)
                    throw new PythonError(ChatTemplateErrorKind.FilterArgument, "map requires a filter argument");
                string name = PythonOps.AsString(args.Positional[0]) ?? PythonRepr.Str(args.Positional[0]);
                var rest = new CallArgs(args.Positional.Skip(1).ToList(), args.Keywords);
                function = item => renderer.CallFilter(name, item, new CallArgs([.. rest.Positional], [.. rest.Keywords]), byName: true);
            }
            foreach (object? item in Counted(renderer, PythonOps.Iterate(value)))
                yield return function(item);
        }
        return new PyIterator(Generate(), "generator", "sync_do_map");
    }

    private static object? SelectOrReject(TemplateRenderer renderer, object? value, CallArgs args, bool accept, bool attribute)
    {
        IEnumerable<object?> Generate()
        {
            if (!PythonOps.Truthy(value))
                yield break;
            Func<object?, object?> transform = x => x;
            int offset = 0;
            if (attribute)
            {
                if (args.Positional.Count == 0)
                    throw new PythonError(ChatTemplateErrorKind.FilterArgument, "Missing parameter for attribute name");
                transform = AttributeGetter(renderer, args.Positional[0]);
                offset = 1;
            }
            Func<object?, bool> test;
            if (args.Positional.Count > offset)
            {
                string name = PythonOps.AsString(args.Positional[offset]) ?? PythonRepr.Str(args.Positional[offset]);
                var rest = args.Positional.Skip(offset + 1).ToList();
                test = item => renderer.CallTest(name, item, new CallArgs([.. rest], [.. args.Keywords]), byName: true);
            }
            else
            {
                test = PythonOps.Truthy;
            }
            foreach (object? item in Counted(renderer, PythonOps.Iterate(value)))
                if (test(transform(item)) == accept)
                    yield return item;
        }
        return new PyIterator(Generate(), "generator", "select_or_reject");
    }

    private static object? Batch(TemplateRenderer renderer, object? value, CallArgs args)
    {
        var a = Bind("do_batch", args, ["linecount", "fill_with"], [null]);
        long lineCount = StringMethods.RequireInt(a[0]);
        object? fill = a[1];
        IEnumerable<object?> Generate()
        {
            var current = new List<object?>();
            foreach (object? item in Counted(renderer, PythonOps.Iterate(value)))
            {
                if (current.Count == lineCount)
                {
                    yield return current;
                    current = [];
                }
                current.Add(item);
            }
            if (current.Count > 0)
            {
                if (fill is not null && current.Count < lineCount)
                {
                    renderer.Budget.CheckCollection(lineCount);
                    while (current.Count < lineCount)
                        current.Add(fill);
                }
                yield return current;
            }
        }
        return new PyIterator(Generate(), "generator", "do_batch");
    }

    private static object? Slice(TemplateRenderer renderer, object? value, CallArgs args)
    {
        var a = Bind("sync_do_slice", args, ["slices", "fill_with"], [null]);
        long slices = StringMethods.RequireInt(a[0]);
        object? fill = a[1];
        IEnumerable<object?> Generate()
        {
            List<object?> items = ToList(renderer, value);
            if (slices == 0)
                throw new PythonError(ChatTemplateErrorKind.ZeroDivision, "integer division or modulo by zero");
            long perSlice = (long)PythonArithmetic.FloorDiv(items.Count, slices);
            long withExtra = items.Count - perSlice * slices;
            long offset = 0;
            for (long number = 0; number < slices; number++)
            {
                renderer.Budget.Step();
                long start = offset + number * perSlice;
                if (number < withExtra)
                    offset++;
                long end = offset + (number + 1) * perSlice;
                var piece = (List<object?>)PythonSlice.Slice(items, start, end, null)!;
                if (fill is not null && number >= withExtra)
                    piece.Add(fill);
                yield return piece;
            }
        }
        return new PyIterator(Generate(), "generator", "sync_do_slice");
    }

    private static object? GroupBy(TemplateRenderer renderer, object? value, CallArgs args)
    {
        var a = Bind("sync_do_groupby", args, ["attribute", "default", "case_sensitive"], [null, false]);
        bool caseSensitive = PythonOps.Truthy(a[2]);
        var key = AttributeGetter(renderer, a[0], caseSensitive ? null : IgnoreCase, a[1]);
        List<object?> items = ToList(renderer, value);
        PythonSort.Sort(items, key, reverse: false);
        var groups = new List<object?>();
        var output = AttributeGetter(renderer, a[0], fallback: a[1]);
        int i = 0;
        while (i < items.Count)
        {
            object? groupKey = key(items[i]);
            var members = new List<object?>();
            while (i < items.Count && PythonOps.Equal(key(items[i]), groupKey))
                members.Add(items[i++]);
            object? grouper = caseSensitive ? groupKey : output(members[0]);
            groups.Add(new PyTuple([grouper, members], ["grouper", "list"]));
        }
        return groups;
    }
}
