using System.Globalization;
using System.Numerics;
using System.Text;
using LlamaGen.Chat.Evaluation;
using LlamaGen.Chat.Values;

namespace LlamaGen.Chat.Python;

/// <summary>
/// Python's <c>json.dumps(value, ensure_ascii, indent, separators, sort_keys)</c>, which Hugging Face installs as the
/// <c>tojson</c> filter (no HTML escaping, unlike jinja2's own): dict key order kept, floats as Python's repr,
/// <c>NaN</c>/<c>Infinity</c>, <c>", "</c> and <c>": "</c> separators (<c>","</c> once indenting), and Python's
/// TypeError for values JSON cannot hold.
/// </summary>
internal sealed class JsonDumps
{
    private readonly bool _ensureAscii;
    private readonly string? _indent;
    private readonly string _itemSeparator;
    private readonly string _keySeparator;
    private readonly bool _sortKeys;
    private readonly ExecutionBudget _budget;
    private readonly StringBuilder _output = new();
    private readonly HashSet<object> _active = new(ReferenceEqualityComparer.Instance);

    private JsonDumps(bool ensureAscii, string? indent, string itemSeparator, string keySeparator, bool sortKeys, ExecutionBudget budget)
    {
        _ensureAscii = ensureAscii;
        _indent = indent;
        _itemSeparator = itemSeparator;
        _keySeparator = keySeparator;
        _sortKeys = sortKeys;
        _budget = budget;
    }

    public static string Dumps(object? value, object? ensureAscii, object? indent, object? separators, object? sortKeys, ExecutionBudget budget)
    {
        string? indentText = indent switch
        {
            null => null,
            string s => s,
            Markup m => m.Value,
            long or BigInteger or bool => Spaces(PythonSlice.ToIndex(indent), budget),
            _ => throw PythonError.Type($"can't multiply sequence by non-int of type '{PythonOps.TypeName(indent)}'"),
        };
        string itemSeparator = indentText is null ? ", " : ",";
        string keySeparator = ": ";
        if (separators is not null)
        {
            var parts = PythonOps.Iterate(separators).ToList();
            if (parts.Count != 2)
                throw PythonError.Value($"{(parts.Count > 2 ? "too many values to unpack" : "not enough values to unpack")} (expected 2, got {parts.Count})");
            itemSeparator = PythonOps.AsString(parts[0]) ?? throw PythonError.Type("separators must be strings");
            keySeparator = PythonOps.AsString(parts[1]) ?? throw PythonError.Type("separators must be strings");
        }
        var writer = new JsonDumps(PythonOps.Truthy(ensureAscii), indentText, itemSeparator, keySeparator, PythonOps.Truthy(sortKeys), budget);
        writer.Write(value, 0);
        return writer._output.ToString();
    }

    // json.dumps indents with " " * indent (nothing for a negative count); sized before it is built.
    private static string Spaces(long count, ExecutionBudget budget)
    {
        budget.CheckString(count);
        return count <= 0 ? "" : new string(' ', (int)count);
    }

    private void Write(object? value, int level)
    {
        _budget.Step();
        _budget.CheckString(_output.Length);
        switch (value)
        {
            case null: _output.Append("null"); return;
            case bool b: _output.Append(b ? "true" : "false"); return;
            case long or BigInteger: _output.Append(PythonRepr.Str(value)); return;
            case double d: _output.Append(FloatText(d)); return;
            case string or Markup: WriteString(PythonOps.AsString(value)!); return;
            case List<object?> list: WriteArray(list, list, level); return;
            case PyTuple tuple: WriteArray(tuple, tuple.Items, level); return;
            case PyDict dict: WriteObject(dict, level); return;
        }
        throw PythonError.Type($"Object of type {PythonOps.TypeName(value)} is not JSON serializable");
    }

    private static string FloatText(double d) =>
        double.IsNaN(d) ? "NaN" : double.IsPositiveInfinity(d) ? "Infinity" : double.IsNegativeInfinity(d) ? "-Infinity" : FloatFormatting.Repr(d);

    private void Enter(object container, int level)
    {
        if (!_active.Add(container))
            throw PythonError.Value("Circular reference detected");
        if (level >= _budget.Limits.MaxDepth)
            throw ExecutionBudget.Exceeded($"tojson: the value nests deeper than {_budget.Limits.MaxDepth} levels (ChatTemplateLimits.MaxDepth)");
    }

    private void NewLine(int level)
    {
        _output.Append('\n');
        for (int i = 0; i < level; i++)
            _output.Append(_indent);
    }

    private void WriteArray(object container, IReadOnlyList<object?> items, int level)
    {
        if (items.Count == 0)
        {
            _output.Append("[]");
            return;
        }
        Enter(container, level);
        _output.Append('[');
        for (int i = 0; i < items.Count; i++)
        {
            if (i > 0)
                _output.Append(_itemSeparator);
            if (_indent is not null)
                NewLine(level + 1);
            Write(items[i], level + 1);
        }
        if (_indent is not null)
            NewLine(level);
        _output.Append(']');
        _active.Remove(container);
    }

    private void WriteObject(PyDict dict, int level)
    {
        if (dict.Count == 0)
        {
            _output.Append("{}");
            return;
        }
        Enter(dict, level);
        IEnumerable<KeyValuePair<object?, object?>> entries = dict.Items;
        if (_sortKeys)
        {
            var sorted = dict.Items.ToList();
            PythonSort.Sort(sorted, pair => pair.Key, reverse: false);
            entries = sorted;
        }
        _output.Append('{');
        bool first = true;
        foreach (var entry in entries)
        {
            if (!first)
                _output.Append(_itemSeparator);
            first = false;
            if (_indent is not null)
                NewLine(level + 1);
            WriteString(KeyText(entry.Key));
            _output.Append(_keySeparator);
            Write(entry.Value, level + 1);
        }
        if (_indent is not null)
            NewLine(level);
        _output.Append('}');
        _active.Remove(dict);
    }

    private static string KeyText(object? key) => key switch
    {
        string s => s,
        Markup m => m.Value,
        null => "null",
        bool b => b ? "true" : "false",
        long or BigInteger => PythonRepr.Str(key),
        double d => FloatText(d),
        _ => throw PythonError.Type($"keys must be str, int, float, bool or None, not {PythonOps.TypeName(key)}"),
    };

    private void WriteString(string text)
    {
        _output.Append('"');
        foreach (char c in text)
        {
            switch (c)
            {
                case '"': _output.Append("\\\""); break;
                case '\\': _output.Append("\\\\"); break;
                case '\n': _output.Append("\\n"); break;
                case '\r': _output.Append("\\r"); break;
                case '\t': _output.Append("\\t"); break;
                case '\b': _output.Append("\\b"); break;
                case '\f': _output.Append("\\f"); break;
                default:
                    // ensure_ascii escapes every non-ASCII UTF-16 unit (surrogate pairs as two escapes, as Python does).
                    if (c < 0x20 || (_ensureAscii && c > 0x7E))
                        _output.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else
                        _output.Append(c);
                    break;
            }
        }
        _output.Append('"');
    }
}
