using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using LlamaGen.Chat.Evaluation;
using LlamaGen.Chat.Python;
using LlamaGen.Chat.Syntax;
using LlamaGen.Chat.Values;

namespace LlamaGen.Chat.Builtins;

/// <summary>jinja2's tests (<c>x is defined</c>, <c>x is divisibleby 3</c>, <c>x is equalto y</c>...).</summary>
internal static class BuiltinTests
{
    public delegate bool TestFunction(TemplateRenderer renderer, object? value, CallArgs args);

    private static readonly Dictionary<string, TestFunction> Tests = new(StringComparer.Ordinal)
    {
        ["odd"] = (r, v, a) => { Bind("test_odd", a); return PythonOps.Equal(PythonArithmetic.Modulo(v, 2L, r), 1L); },
        ["even"] = (r, v, a) => { Bind("test_even", a); return PythonOps.Equal(PythonArithmetic.Modulo(v, 2L, r), 0L); },
        ["divisibleby"] = (r, v, a) => PythonOps.Equal(PythonArithmetic.Modulo(v, Bind("test_divisibleby", a, "num")[0], r), 0L),
        ["defined"] = (r, v, a) => { Bind("test_defined", a); return v is not Undefined; },
        ["undefined"] = (r, v, a) => { Bind("test_undefined", a); return v is Undefined; },
        ["filter"] = (r, v, a) => { Bind("test_filter", a); return PythonOps.AsString(v) is string s && BuiltinFilters.Contains(s); },
        ["test"] = (r, v, a) => { Bind("test_test", a); return PythonOps.AsString(v) is string s && Tests!.ContainsKey(s); },
        ["none"] = (r, v, a) => { Bind("test_none", a); return v is null; },
        ["boolean"] = (r, v, a) => { Bind("test_boolean", a); return v is bool; },
        ["false"] = (r, v, a) => { Bind("test_false", a); return v is false; },
        ["true"] = (r, v, a) => { Bind("test_true", a); return v is true; },
        ["integer"] = (r, v, a) => { Bind("test_integer", a); return v is long or BigInteger; },
        ["float"] = (r, v, a) => { Bind("test_float", a); return v is double; },
        ["lower"] = (r, v, a) => { Bind("test_lower", a); return PythonStrings.IsLower(PythonRepr.Str(v)); },
        ["upper"] = (r, v, a) => { Bind("test_upper", a); return PythonStrings.IsUpper(PythonRepr.Str(v)); },
        ["string"] = (r, v, a) => { Bind("test_string", a); return PythonOps.IsString(v); },
        ["mapping"] = (r, v, a) => { Bind("test_mapping", a); return v is PyDict; },
        ["number"] = (r, v, a) => { Bind("test_number", a); return PythonOps.IsNumber(v); },
        ["sequence"] = (r, v, a) => { Bind("test_sequence", a); return v is string or Markup or List<object?> or PyTuple or PyDict or PyRange or Undefined; },
        ["iterable"] = (r, v, a) => { Bind("test_iterable", a); return PythonOps.IsIterable(v); },
        ["callable"] = (r, v, a) => { Bind("callable", a); return v is Macro or BuiltinFunction or BoundMethod or LoopContext or Joiner or Undefined; },
        ["sameas"] = (r, v, a) => SameAs(v, Bind("test_sameas", a, "other")[0]),
        ["escaped"] = (r, v, a) => { Bind("test_escaped", a); return v is Markup; },
        ["in"] = (r, v, a) => PythonOps.Contains(Bind("test_in", a, "seq")[0], v),
        ["=="] = Comparison(CompareOperator.Equal),
        ["eq"] = Comparison(CompareOperator.Equal),
        ["equalto"] = Comparison(CompareOperator.Equal),
        ["!="] = Comparison(CompareOperator.NotEqual),
        ["ne"] = Comparison(CompareOperator.NotEqual),
        [">"] = Comparison(CompareOperator.Greater),
        ["gt"] = Comparison(CompareOperator.Greater),
        ["greaterthan"] = Comparison(CompareOperator.Greater),
        ["ge"] = Comparison(CompareOperator.GreaterOrEqual),
        [">="] = Comparison(CompareOperator.GreaterOrEqual),
        ["<"] = Comparison(CompareOperator.Less),
        ["lt"] = Comparison(CompareOperator.Less),
        ["lessthan"] = Comparison(CompareOperator.Less),
        ["<="] = Comparison(CompareOperator.LessOrEqual),
        ["le"] = Comparison(CompareOperator.LessOrEqual),
    };

    public static bool Contains(string name) => Tests.ContainsKey(name);

    public static bool TryGet(string name, [MaybeNullWhen(false)] out TestFunction test) => Tests.TryGetValue(name, out test);

    private static object?[] Bind(string function, CallArgs args, params string[] names) =>
        ParameterBinder.Bind(function, args, names, [], leading: 1);

    private static TestFunction Comparison(CompareOperator op) =>
        (r, v, a) =>
        {
            // The tests are Python's operator.eq, operator.lt...: those are the names in their errors.
            string function = op switch
            {
                CompareOperator.Equal => "eq",
                CompareOperator.NotEqual => "ne",
                CompareOperator.Less => "lt",
                CompareOperator.LessOrEqual => "le",
                CompareOperator.Greater => "gt",
                _ => "ge",
            };
            if (a.Keywords.Count > 0)
                throw PythonError.Type($"{function}() takes no keyword arguments");
            if (a.Positional.Count != 1)
                throw PythonError.Type($"{function} expected 2 arguments, got {a.Positional.Count + 1}");
            return TemplateRenderer.CompareValues(op, v, a.Positional[0]);
        };

    // Python's `is`: None, booleans and the small ints CPython caches are one object each; anything else by identity.
    private static bool SameAs(object? value, object? other)
    {
        if (value is null || other is null)
            return value is null && other is null;
        if (value is bool a && other is bool b)
            return a == b;
        if (value is long x && other is long y)
            return x == y && x is >= -5 and <= 256;
        return ReferenceEquals(value, other);
    }
}
