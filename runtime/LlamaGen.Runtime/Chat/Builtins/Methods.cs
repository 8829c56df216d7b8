using System.Numerics;
using LlamaGen.Chat.Evaluation;
using LlamaGen.Chat.Python;
using LlamaGen.Chat.Values;

namespace LlamaGen.Chat.Builtins;

/// <summary>
/// Calls a method looked up on a value. Only the methods <see cref="MemberAccess"/> hands out can arrive here, so the
/// mutating list and dict methods (which the immutable sandbox refuses) never do.
/// </summary>
internal static class Methods
{
    public static object? Invoke(TemplateRenderer renderer, BoundMethod method, CallArgs args)
    {
        string name = method.Name;
        switch (method.Receiver)
        {
            case string s:
                return StringMethods.Invoke(renderer, s, name, args);
            case Markup markup:
                {
                    object? result = StringMethods.Invoke(renderer, markup.Value, name, args);
                    return result is string text && name is not ("join" or "format" or "format_map") ? new Markup(text) : result;
                }
            case PyDict dict:
                return DictMethod(dict, name, args);
            case List<object?> list:
                return SequenceMethod(list, "list", name, args, renderer);
            case PyTuple tuple:
                return SequenceMethod(tuple.Items, "tuple", name, args, renderer);
            case PyRange range:
                return SequenceMethod(PythonOps.Iterate(range).ToList(), "range", name, args, renderer);
            case LoopContext loop:
                return LoopMethod(loop, name, args);
            case Cycler cycler:
                ParameterBinder.Positional(name, args, 0, 0);
                if (name == "reset")
                {
                    cycler.Position = 0;
                    return null;
                }
                object? current = cycler.Items[cycler.Position];
                cycler.Position = (cycler.Position + 1) % cycler.Items.Length;
                return current;
            case DictView view:
                {
                    var other = ParameterBinder.Positional(name, args, 1, 1)[0];
                    return !PythonOps.Iterate(other).Any(item => PythonOps.Contains(view, item));
                }
            case long or BigInteger or bool:
                return IntMethod(PythonOps.ToBig(method.Receiver), name, args);
            case double d:
                return FloatMethod(d, name, args);
        }
        throw PythonError.Type($"{PythonOps.TypeName(method.Receiver)}.{name}() is not supported in chat templates");
    }

    private static object? DictMethod(PyDict dict, string name, CallArgs args)
    {
        switch (name)
        {
            case "items": ParameterBinder.Positional("dict.items", args, 0, 0); return new DictView(dict, DictViewKind.Items);
            case "keys": ParameterBinder.Positional("dict.keys", args, 0, 0); return new DictView(dict, DictViewKind.Keys);
            case "values": ParameterBinder.Positional("dict.values", args, 0, 0); return new DictView(dict, DictViewKind.Values);
            case "get":
                {
                    var a = ParameterBinder.Positional(name, args, 1, 2);
                    return dict.TryGetValue(a[0], out object? value) ? value : a.Count > 1 ? a[1] : null;
                }
            case "copy": ParameterBinder.Positional("dict.copy", args, 0, 0); return dict.Copy();
            case "fromkeys":
                {
                    var a = ParameterBinder.Positional(name, args, 1, 2);
                    var result = new PyDict();
                    foreach (object? key in PythonOps.Iterate(a[0]))
                        result.Set(key, a.Count > 1 ? a[1] : null);
                    return result;
                }
        }
        throw PythonError.Type($"dict.{name}() is not supported in chat templates");
    }

    private static object? SequenceMethod(IReadOnlyList<object?> items, string typeName, string name, CallArgs args, TemplateRenderer renderer)
    {
        renderer.Budget.Step(items.Count);
        switch (name)
        {
            case "count":
                {
                    var a = ParameterBinder.Positional(name, args, 1, 1);
                    return (long)items.Count(x => ReferenceEquals(x, a[0]) || PythonOps.Equal(x, a[0]));
                }
            case "index":
                {
                    var a = ParameterBinder.Positional(name, args, 1, 3);
                    var (start, stop, _, _) = PythonSlice.Indices(items.Count, a.Count > 1 ? a[1] : null, a.Count > 2 ? a[2] : null, null);
                    for (long i = start; i < stop; i++)
                        if (ReferenceEquals(items[(int)i], a[0]) || PythonOps.Equal(items[(int)i], a[0]))
                            return i;
                    throw PythonError.Value(typeName switch
                    {
                        "list" => $"{PythonRepr.Repr(a[0])} is not in list",
                        "range" => $"{PythonRepr.Repr(a[0])} is not in range",
                        _ => "tuple.index(x): x not in tuple",
                    });
                }
            case "copy" when typeName == "list":
                ParameterBinder.Positional(name, args, 0, 0);
                return new List<object?>(items);
        }
        throw PythonError.Type($"{typeName}.{name}() is not supported in chat templates");
    }

    private static object? LoopMethod(LoopContext loop, string name, CallArgs args)
    {
        ParameterBinder.NoKeywords(name, args);
        if (name == "cycle")
        {
            if (args.Positional.Count == 0)
                throw PythonError.Type("no items for cycling given");
            return args.Positional[loop.Index0 % args.Positional.Count];
        }
        // changed(*values): true when called with other values than last time (or for the first time).
        var values = new PyTuple([.. args.Positional]);
        if (loop.LastChanged is null || !PythonOps.Equal(loop.LastChanged, values))
        {
            loop.LastChanged = values;
            return true;
        }
        return false;
    }

    private static object? IntMethod(BigInteger value, string name, CallArgs args)
    {
        ParameterBinder.Positional(name, args, 0, 0);
        switch (name)
        {
            case "bit_length": return (long)BigInteger.Abs(value).GetBitLength();
            case "bit_count":
                {
                    long count = 0;
                    foreach (byte b in BigInteger.Abs(value).ToByteArray())
                        count += BitOperations.PopCount(b);
                    return count;
                }
            case "conjugate": return PythonOps.Normalize(value);
            case "as_integer_ratio": return new PyTuple([PythonOps.Normalize(value), 1L]);
        }
        throw PythonError.Type($"int.{name}() is not supported in chat templates");
    }

    private static object? FloatMethod(double value, string name, CallArgs args)
    {
        ParameterBinder.Positional(name, args, 0, 0);
        switch (name)
        {
            case "is_integer": return double.IsFinite(value) && Math.Floor(value) == value;
            case "conjugate": return value;
        }
        throw PythonError.Type($"float.{name}() is not supported in chat templates");
    }
}
