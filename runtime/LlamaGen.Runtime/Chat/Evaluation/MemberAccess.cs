using System.Numerics;
using LlamaGen.Chat.Python;
using LlamaGen.Chat.Values;

namespace LlamaGen.Chat.Evaluation;

/// <summary>
/// Attribute and item lookup as jinja2's <c>ImmutableSandboxedEnvironment</c> does it. <c>obj.name</c> tries the
/// Python attribute first and then the item; <c>obj[key]</c> the other way round. The only attributes that exist are
/// the ones listed here (Python's methods and properties of each type); an attribute whose name starts with
/// <c>_</c>, or a method that would change a list or dict, gives an undefined value that raises a SecurityError when
/// used. No .NET member is ever reachable: there is no reflection, only these tables.
/// </summary>
internal static class MemberAccess
{
    private enum Lookup { NotFound, Found, Unsafe }

    // Attributes every Python object has (so jinja2's getattr finds them, then refuses them as unsafe).
    private static readonly HashSet<string> ObjectDunders =
    [
        "__class__", "__doc__", "__init__", "__new__", "__repr__", "__str__", "__eq__", "__ne__", "__lt__", "__le__",
        "__gt__", "__ge__", "__hash__", "__getattribute__", "__setattr__", "__delattr__", "__dir__", "__format__",
        "__reduce__", "__reduce_ex__", "__sizeof__", "__subclasshook__", "__init_subclass__", "__getstate__",
    ];

    private static readonly HashSet<string> ContainerDunders =
    [
        "__len__", "__iter__", "__contains__", "__getitem__", "__add__", "__mul__", "__rmul__", "__setitem__",
        "__delitem__", "__iadd__", "__imul__", "__reversed__", "__class_getitem__", "__or__", "__ror__", "__ior__",
        "__mod__", "__rmod__", "__getnewargs__",
    ];

    private static readonly HashSet<string> FunctionDunders =
    [
        "__call__", "__globals__", "__code__", "__closure__", "__defaults__", "__kwdefaults__", "__dict__", "__module__",
        "__name__", "__qualname__", "__self__", "__func__", "__wrapped__", "__builtins__", "__annotations__", "__get__",
    ];

    public static readonly HashSet<string> StringMethods =
    [
        "capitalize", "casefold", "center", "count", "encode", "endswith", "expandtabs", "find", "format", "format_map",
        "index", "isalnum", "isalpha", "isascii", "isdecimal", "isdigit", "isidentifier", "islower", "isnumeric",
        "isprintable", "isspace", "istitle", "isupper", "join", "ljust", "lower", "lstrip", "maketrans", "partition",
        "removeprefix", "removesuffix", "replace", "rfind", "rindex", "rjust", "rpartition", "rsplit", "rstrip",
        "split", "splitlines", "startswith", "strip", "swapcase", "title", "translate", "upper", "zfill",
    ];

    private static readonly HashSet<string> MarkupMethods = ["escape", "unescape", "striptags"];

    public static readonly HashSet<string> DictMethods =
        ["clear", "copy", "fromkeys", "get", "items", "keys", "pop", "popitem", "setdefault", "update", "values"];

    public static readonly HashSet<string> ListMethods =
        ["append", "clear", "copy", "count", "extend", "index", "insert", "pop", "remove", "reverse", "sort"];

    private static readonly HashSet<string> TupleMethods = ["count", "index"];

    private static readonly HashSet<string> MutatingListMethods = ["append", "clear", "pop", "reverse", "insert", "sort", "extend", "remove"];

    private static readonly HashSet<string> MutatingDictMethods = ["clear", "pop", "popitem", "setdefault", "update"];

    private static readonly HashSet<string> IntMethods = ["as_integer_ratio", "bit_count", "bit_length", "conjugate", "from_bytes", "to_bytes"];

    private static readonly HashSet<string> FloatMethods = ["as_integer_ratio", "conjugate", "fromhex", "hex", "is_integer"];

    public static object? GetAttribute(object? target, string name)
    {
        if (target is Undefined undefined)
        {
            // getattr(Undefined, "__class__") finds the class and the sandbox refuses it; any other name raises.
            if (ObjectDunders.Contains(name))
                return Unsafe(target, name);
            throw undefined.Fail();
        }
        switch (TryAttribute(target, name, out object? value))
        {
            case Lookup.Found:
                return value;
            case Lookup.Unsafe:
                return Unsafe(target, name);
        }
        if (TryItem(target, name, out value))
            return value;
        return Undefined.ForMember(target, name);
    }

    /// <summary>jinja2's <c>attr</c> filter: the attribute only, never an item of the same name.</summary>
    public static object? GetAttributeOnly(object? target, string name)
    {
        if (target is Undefined undefined)
            throw undefined.Fail();
        return TryAttribute(target, name, out object? value) switch
        {
            Lookup.Found => value,
            Lookup.Unsafe => Unsafe(target, name),
            _ => Undefined.ForMember(target, name),
        };
    }

    public static object? GetItem(object? target, object? key)
    {
        if (target is Undefined undefined)
            throw undefined.Fail();
        if (TryItem(target, key, out object? value))
            return value;
        if (PythonOps.AsString(key) is string name)
        {
            switch (TryAttribute(target, name, out value))
            {
                case Lookup.Found:
                    return value;
                case Lookup.Unsafe:
                    return Unsafe(target, name);
            }
        }
        return Undefined.ForMember(target, key);
    }

    private static Undefined Unsafe(object? target, string name) =>
        Undefined.WithHint($"access to attribute {PythonRepr.ReprString(name)} of {PythonRepr.ReprString(PythonOps.TypeName(target))} object is unsafe.",
            ChatTemplateErrorKind.Security);

    /// <summary>Python's <c>obj[key]</c>, false where Python raises a LookupError or TypeError (jinja2 then tries the attribute).</summary>
    private static bool TryItem(object? target, object? key, out object? value)
    {
        value = null;
        switch (target)
        {
            case PyDict dict:
                if (key is List<object?> or PyDict)
                    return false; // unhashable: a TypeError
                return dict.TryGetValue(key, out value);
            case List<object?> list:
                return TryIndex(list, key, out value);
            case PyTuple tuple:
                return TryIndex(tuple.Items, key, out value);
            case string or Markup:
                {
                    string s = PythonOps.AsString(target)!;
                    if (!TryIndex(key, PythonStrings.CodePointCount(s), out long index))
                        return false;
                    string character = PythonStrings.Substring(s, (int)index, (int)index + 1);
                    value = target is Markup ? new Markup(character) : character;
                    return true;
                }
            case PyRange range:
                {
                    if (!TryIndex(key, range.Length, out long index))
                        return false;
                    value = range[index];
                    return true;
                }
        }
        return false;
    }

    private static bool TryIndex(IReadOnlyList<object?> items, object? key, out object? value)
    {
        bool found = TryIndex(key, items.Count, out long index);
        value = found ? items[(int)index] : null;
        return found;
    }

    // An int key within [-count, count), made non-negative; any other key is Python's TypeError or IndexError.
    private static bool TryIndex(object? key, long count, out long index)
    {
        index = 0;
        if (key is not (long or bool or BigInteger))
            return false;
        index = PythonSlice.ToIndex(key);
        if (index < 0)
            index += count;
        return index >= 0 && index < count;
    }

    private static Lookup TryAttribute(object? target, string name, out object? value)
    {
        value = null;
        if (name.StartsWith('_'))
            return HasPrivateAttribute(target, name) ? Lookup.Unsafe : Lookup.NotFound;

        switch (target)
        {
            case string:
                return Method(target, name, StringMethods, out value);
            case Markup:
                return MarkupMethods.Contains(name) ? Bound(target, name, out value) : Method(target, name, StringMethods, out value);
            case PyDict:
                if (MutatingDictMethods.Contains(name))
                    return Lookup.Unsafe;
                return Method(target, name, DictMethods, out value);
            case List<object?>:
                if (MutatingListMethods.Contains(name))
                    return Lookup.Unsafe;
                return Method(target, name, ListMethods, out value);
            case PyTuple tuple:
                if (tuple.FieldNames is { } fields && Array.IndexOf(fields, name) is var field and >= 0)
                {
                    value = tuple.Items[field];
                    return Lookup.Found;
                }
                return Method(target, name, TupleMethods, out value);
            case bool or long or BigInteger:
                switch (name)
                {
                    case "real" or "numerator":
                        value = target is bool b ? (b ? 1L : 0L) : target;
                        return Lookup.Found;
                    case "imag":
                        value = 0L;
                        return Lookup.Found;
                    case "denominator":
                        value = 1L;
                        return Lookup.Found;
                }
                return Method(target, name, IntMethods, out value);
            case double d:
                switch (name)
                {
                    case "real":
                        value = d;
                        return Lookup.Found;
                    case "imag":
                        value = 0.0;
                        return Lookup.Found;
                }
                return Method(target, name, FloatMethods, out value);
            case PyRange range:
                switch (name)
                {
                    case "start": value = range.Start; return Lookup.Found;
                    case "stop": value = range.Stop; return Lookup.Found;
                    case "step": value = range.Step; return Lookup.Found;
                }
                return Method(target, name, TupleMethods, out value);
            case Namespace ns:
                return ns.Attributes.TryGetValue(name, out value) ? Lookup.Found : Lookup.NotFound;
            case LoopContext loop:
                return LoopAttribute(loop, name, out value);
            case Cycler cycler:
                switch (name)
                {
                    case "items": value = new PyTuple(cycler.Items); return Lookup.Found;
                    case "pos": value = (long)cycler.Position; return Lookup.Found;
                    case "current": value = cycler.Items[cycler.Position]; return Lookup.Found;
                    case "next" or "reset": return Bound(target, name, out value);
                }
                return Lookup.NotFound;
            case Joiner joiner:
                switch (name)
                {
                    case "sep": value = joiner.Separator; return Lookup.Found;
                    case "used": value = joiner.Used; return Lookup.Found;
                }
                return Lookup.NotFound;
            case Macro macro:
                switch (name)
                {
                    case "name": value = macro.Name; return Lookup.Found;
                    case "arguments": value = new PyTuple([.. macro.Signature.Parameters]); return Lookup.Found;
                    case "catch_kwargs": value = macro.Signature.UsesKwargs; return Lookup.Found;
                    case "catch_varargs": value = macro.Signature.UsesVarargs; return Lookup.Found;
                    case "caller": value = macro.Signature.UsesCaller; return Lookup.Found;
                    case "explicit_caller": value = macro.Signature.Parameters.Contains("caller"); return Lookup.Found;
                }
                return Lookup.NotFound;
            case DictView view:
                if (name == "mapping")
                {
                    value = view.Dict;
                    return Lookup.Found;
                }
                return view.Kind != DictViewKind.Values && name == "isdisjoint" ? Bound(target, name, out value) : Lookup.NotFound;
            case PyIterator:
                // A generator's frame and code objects are what sandbox escapes go for: refused, like jinja2 does.
                return name is "gi_frame" or "gi_code" or "gi_yieldfrom" or "gi_running" or "gi_suspended" or "send" or "throw" or "close"
                    ? Lookup.Unsafe
                    : Lookup.NotFound;
            case BuiltinFunction { PythonTypeName: "type" } when name == "mro":
                return Lookup.Unsafe; // is_internal_attribute: type.mro
            case BoundMethod or BuiltinFunction:
                return Lookup.NotFound;
        }
        return Lookup.NotFound;
    }

    private static bool HasPrivateAttribute(object? target, string name)
    {
        if (ObjectDunders.Contains(name))
            return true;
        return target switch
        {
            Namespace ns => ns.Attributes.ContainsKey(name),
            PyTuple { FieldNames: not null } => ContainerDunders.Contains(name) || name is "_asdict" or "_fields" or "_replace" or "_make" or "_field_defaults",
            string or Markup or List<object?> or PyTuple or PyDict or PyRange or DictView => ContainerDunders.Contains(name),
            Macro => FunctionDunders.Contains(name) || name.StartsWith("__", StringComparison.Ordinal) ||
                     name is "_func" or "_environment" or "_argument_count" or "_default_autoescape" or "_invoke" or "_async_invoke",
            LoopContext => FunctionDunders.Contains(name) || name.StartsWith("__", StringComparison.Ordinal) ||
                           name is "_iterable" or "_iterator" or "_undefined" or "_recurse" or "_length" or "_after" or "_current" or "_before" or "_last_changed_value" or "_peek_next" or "_to_iterator",
            BoundMethod or BuiltinFunction or Cycler or Joiner => FunctionDunders.Contains(name) || name.StartsWith("__", StringComparison.Ordinal),
            _ => false,
        };
    }

    private static Lookup Method(object? target, string name, HashSet<string> methods, out object? value)
    {
        if (methods.Contains(name))
            return Bound(target, name, out value);
        value = null;
        return Lookup.NotFound;
    }

    private static Lookup Bound(object? target, string name, out object? value)
    {
        value = new BoundMethod(target, name);
        return Lookup.Found;
    }

    private static Lookup LoopAttribute(LoopContext loop, string name, out object? value)
    {
        int index0 = loop.Index0;
        switch (name)
        {
            case "index0": value = (long)index0; return Lookup.Found;
            case "index": value = (long)index0 + 1; return Lookup.Found;
            case "revindex": value = (long)(loop.Length - index0); return Lookup.Found;
            case "revindex0": value = (long)(loop.Length - index0 - 1); return Lookup.Found;
            case "first": value = index0 == 0; return Lookup.Found;
            case "last": value = index0 == loop.Length - 1; return Lookup.Found;
            case "length": value = (long)loop.Length; return Lookup.Found;
            case "depth": value = (long)loop.Depth0 + 1; return Lookup.Found;
            case "depth0": value = (long)loop.Depth0; return Lookup.Found;
            case "previtem":
                value = index0 > 0 ? loop.Items[index0 - 1] : Undefined.WithHint("there is no previous item");
                return Lookup.Found;
            case "nextitem":
                value = index0 + 1 < loop.Length ? loop.Items[index0 + 1] : Undefined.WithHint("there is no next item");
                return Lookup.Found;
            case "cycle" or "changed":
                value = new BoundMethod(loop, name);
                return Lookup.Found;
        }
        value = null;
        return Lookup.NotFound;
    }
}
