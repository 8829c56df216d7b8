using System.Globalization;
using System.Numerics;
using System.Text;
using LlamaGen.Chat.Evaluation;
using LlamaGen.Chat.Values;

namespace LlamaGen.Chat.Python;

/// <summary>
/// Python's <c>str()</c> and <c>repr()</c> of template values, which is what <c>{{ value }}</c> prints:
/// <c>None</c>, <c>True</c>, <c>1.0</c>, <c>1e-05</c>, <c>['a', 1]</c>, <c>{'k': (1,)}</c>, and <c>...</c> where
/// a container contains itself.
/// </summary>
internal static class PythonRepr
{
    // CPython refuses to print or parse decimal integers longer than this (sys.get_int_max_str_digits()).
    public const int MaxIntDigits = 4300;

    public static string Str(object? value)
    {
        switch (value)
        {
            case string s: return s;
            case Markup m: return m.Value;
            case Undefined: return "";
            default:
                var builder = new StringBuilder();
                Write(builder, value, repr: false, null);
                return builder.ToString();
        }
    }

    public static string Repr(object? value)
    {
        var builder = new StringBuilder();
        Write(builder, value, repr: true, null);
        return builder.ToString();
    }

    public static string ReprString(string text)
    {
        var builder = new StringBuilder(text.Length + 2);
        WriteString(builder, text);
        return builder.ToString();
    }

    /// <summary>Python's <c>ascii()</c> applied to a repr: every non-ASCII character escaped.</summary>
    public static string Ascii(string repr)
    {
        var builder = new StringBuilder(repr.Length);
        for (int i = 0; i < repr.Length; i++)
        {
            int c = char.IsSurrogatePair(repr, i) ? char.ConvertToUtf32(repr, i++) : repr[i];
            if (c < 0x80)
                builder.Append((char)c);
            else
                AppendEscape(builder, c);
        }
        return builder.ToString();
    }

    public static string IntToString(BigInteger value)
    {
        string text = value.ToString(CultureInfo.InvariantCulture);
        if (text.Length - (value.Sign < 0 ? 1 : 0) > MaxIntDigits)
            throw PythonError.Value($"Exceeds the limit ({MaxIntDigits} digits) for integer string conversion; use sys.set_int_max_str_digits() to increase the limit");
        return text;
    }

    private static void Write(StringBuilder builder, object? value, bool repr, HashSet<object>? active)
    {
        using var level = ExecutionBudget.EnterValue();
        switch (value)
        {
            case null: builder.Append("None"); return;
            case bool b: builder.Append(b ? "True" : "False"); return;
            case long l: builder.Append(l.ToString(CultureInfo.InvariantCulture)); return;
            case BigInteger big: builder.Append(IntToString(big)); return;
            case double d: builder.Append(FloatFormatting.Repr(d)); return;
            case string s:
                if (repr)
                    WriteString(builder, s);
                else
                    builder.Append(s);
                return;
            case Markup markup:
                if (repr)
                    builder.Append("Markup(").Append(ReprString(markup.Value)).Append(')');
                else
                    builder.Append(markup.Value);
                return;
            case Undefined:
                if (repr)
                    builder.Append("Undefined");
                return;
            case PyRange range:
                builder.Append("range(").Append(range.Start).Append(", ").Append(range.Stop);
                if (range.Step != 1)
                    builder.Append(", ").Append(range.Step);
                builder.Append(')');
                return;
            case Macro macro:
                builder.Append("<Macro ").Append(macro.Name is null ? "anonymous" : ReprString(macro.Name)).Append('>');
                return;
            case LoopContext loop:
                builder.Append("<LoopContext ").Append(loop.Index0 + 1).Append('/').Append(loop.Length).Append('>');
                return;
            case PyIterator iterator:
                builder.Append('<').Append(iterator.TypeName).Append(" object");
                if (iterator.Function is not null)
                    builder.Append(' ').Append(iterator.Function);
                builder.Append('>');
                return;
            case BoundMethod method:
                builder.Append("<built-in method ").Append(method.Name).Append(" of ").Append(PythonOps.TypeName(method.Receiver)).Append(" object>");
                return;
            case BuiltinFunction function:
                builder.Append(function.PythonTypeName == "type" ? $"<class '{function.Name}'>" : $"<function {function.Name}>");
                return;
            case PySlice slice:
                builder.Append("slice(").Append(Repr(slice.Start)).Append(", ").Append(Repr(slice.Stop)).Append(", ").Append(Repr(slice.Step)).Append(')');
                return;
            case Cycler:
                builder.Append("<jinja2.utils.Cycler object>");
                return;
            case Joiner:
                builder.Append("<jinja2.utils.Joiner object>");
                return;
        }

        // Containers: Python prints "[...]" / "{...}" for one that is already being printed.
        active ??= new HashSet<object>(ReferenceEqualityComparer.Instance);
        switch (value)
        {
            case List<object?> list:
                if (!active.Add(list))
                {
                    builder.Append("[...]");
                    return;
                }
                builder.Append('[');
                WriteItems(builder, list, active);
                builder.Append(']');
                active.Remove(list);
                return;
            case PyTuple tuple:
                if (!active.Add(tuple))
                {
                    builder.Append("(...)");
                    return;
                }
                builder.Append('(');
                WriteItems(builder, tuple.Items, active);
                if (tuple.Count == 1)
                    builder.Append(',');
                builder.Append(')');
                active.Remove(tuple);
                return;
            case PyDict dict:
                WriteDict(builder, dict, active);
                return;
            case Namespace ns:
                builder.Append("<Namespace ");
                WriteDict(builder, ns.Attributes, active);
                builder.Append('>');
                return;
            case DictView view:
                builder.Append(view.TypeName).Append("([");
                WriteItems(builder, view.Iterate().ToList(), active);
                builder.Append("])");
                return;
            default:
                builder.Append(value.ToString());
                return;
        }
    }

    private static void WriteItems(StringBuilder builder, IReadOnlyList<object?> items, HashSet<object> active)
    {
        for (int i = 0; i < items.Count; i++)
        {
            if (i > 0)
                builder.Append(", ");
            Write(builder, items[i], repr: true, active);
        }
    }

    private static void WriteDict(StringBuilder builder, PyDict dict, HashSet<object> active)
    {
        if (!active.Add(dict))
        {
            builder.Append("{...}");
            return;
        }
        builder.Append('{');
        bool first = true;
        foreach (var entry in dict.Items)
        {
            if (!first)
                builder.Append(", ");
            first = false;
            Write(builder, entry.Key, repr: true, active);
            builder.Append(": ");
            Write(builder, entry.Value, repr: true, active);
        }
        builder.Append('}');
        active.Remove(dict);
    }

    // \xhh, \uhhhh or \Uhhhhhhhh, the shortest that holds the code point, as Python's repr and ascii write them.
    private static void AppendEscape(StringBuilder builder, int c)
    {
        if (c <= 0xFF)
            builder.Append("\\x").Append(c.ToString("x2", CultureInfo.InvariantCulture));
        else if (c <= 0xFFFF)
            builder.Append("\\u").Append(c.ToString("x4", CultureInfo.InvariantCulture));
        else
            builder.Append("\\U").Append(c.ToString("x8", CultureInfo.InvariantCulture));
    }

    private static void WriteString(StringBuilder builder, string text)
    {
        char quote = text.Contains('\'') && !text.Contains('"') ? '"' : '\'';
        builder.Append(quote);
        for (int i = 0; i < text.Length; i++)
        {
            int c = char.IsSurrogatePair(text, i) ? char.ConvertToUtf32(text, i) : text[i];
            if (c == quote || c == '\\')
                builder.Append('\\').Append((char)c);
            else if (c == '\t')
                builder.Append("\\t");
            else if (c == '\n')
                builder.Append("\\n");
            else if (c == '\r')
                builder.Append("\\r");
            else if (c >= ' ' && c < 0x7F || c > 0x7F && PythonChars.IsPrintable(c))
                builder.Append(text, i, c >= 0x10000 ? 2 : 1);
            else
                AppendEscape(builder, c);
            if (c >= 0x10000)
                i++;
        }
        builder.Append(quote);
    }
}
