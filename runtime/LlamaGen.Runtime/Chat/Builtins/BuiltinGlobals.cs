using System.Numerics;
using LlamaGen.Chat.Evaluation;
using LlamaGen.Chat.Python;
using LlamaGen.Chat.Values;

namespace LlamaGen.Chat.Builtins;

/// <summary>
/// The globals of Hugging Face's environment: jinja2's <c>range</c> (the sandbox's, capped at 100,000 items),
/// <c>dict</c>, <c>namespace</c>, <c>cycler</c>, <c>joiner</c>, and Hugging Face's <c>raise_exception</c> and
/// <c>strftime_now</c>. (jinja2's <c>lipsum</c> is left out: it is random text, of no use in a prompt.)
/// </summary>
internal static class BuiltinGlobals
{
    // jinja2.sandbox.MAX_RANGE
    private const long MaxRange = 100_000;

    public static void AddTo(Scope scope)
    {
        scope.Set("range", new BuiltinFunction("safe_range", "function", Range));
        scope.Set("dict", new BuiltinFunction("dict", "type", Dict));
        scope.Set("namespace", new BuiltinFunction("jinja2.utils.Namespace", "type", MakeNamespace));
        scope.Set("cycler", new BuiltinFunction("jinja2.utils.Cycler", "type", MakeCycler));
        scope.Set("joiner", new BuiltinFunction("jinja2.utils.Joiner", "type", MakeJoiner));
        scope.Set("raise_exception", new BuiltinFunction("raise_exception", "function", RaiseException));
        scope.Set("strftime_now", new BuiltinFunction("strftime_now", "function", StrftimeNow));
    }

    private static object? Range(TemplateRenderer renderer, CallArgs args)
    {
        if (args.Keywords.Count > 0)
            throw PythonError.Type("range() takes no keyword arguments");
        int n = args.Positional.Count;
        if (n == 0)
            throw PythonError.Type("range expected at least 1 argument, got 0");
        if (n > 3)
            throw PythonError.Type($"range expected at most 3 arguments, got {n}");
        var numbers = new BigInteger[n];
        for (int i = 0; i < n; i++)
        {
            object? value = args.Positional[i];
            if (value is Undefined undefined)
                throw undefined.Fail();
            if (value is not (long or bool or BigInteger))
                throw PythonError.Type($"'{PythonOps.TypeName(value)}' object cannot be interpreted as an integer");
            numbers[i] = PythonOps.ToBig(value);
        }
        BigInteger start = n == 1 ? 0 : numbers[0], stop = n == 1 ? numbers[0] : numbers[1], step = n == 3 ? numbers[2] : 1;
        if (step.IsZero)
            throw PythonError.Value("range() arg 3 must not be zero");
        BigInteger length = step > 0
            ? (start < stop ? (stop - start - 1) / step + 1 : 0)
            : (start > stop ? (start - stop - 1) / -step + 1 : 0);
        if (length > MaxRange)
            throw new PythonError(ChatTemplateErrorKind.Overflow, $"Range too big. The sandbox blocks ranges larger than MAX_RANGE ({MaxRange}).");
        // Within MAX_RANGE items every value fits a long unless the bounds themselves do not.
        if (start < long.MinValue || start > long.MaxValue || stop < long.MinValue || stop > long.MaxValue || step > long.MaxValue || step < long.MinValue)
            throw ExecutionBudget.Exceeded("range() bounds beyond 64 bits are not supported");
        return new PyRange((long)start, (long)stop, (long)step);
    }

    private static object? Dict(TemplateRenderer renderer, CallArgs args) => BuildDict(args, "dict");

    private static PyDict BuildDict(CallArgs args, string function)
    {
        if (args.Positional.Count > 1)
            throw PythonError.Type($"{function} expected at most 1 argument, got {args.Positional.Count}");
        var result = new PyDict();
        if (args.Positional.Count == 1)
        {
            object? source = args.Positional[0];
            if (source is PyDict dict)
            {
                foreach (var entry in dict.Items)
                    result.Set(entry.Key, entry.Value);
            }
            else
            {
                int index = 0;
                foreach (object? item in PythonOps.Iterate(source))
                {
                    if (!PythonOps.IsIterable(item))
                        throw PythonError.Type($"cannot convert dictionary update sequence element #{index} to a sequence");
                    var pair = PythonOps.Iterate(item).ToList();
                    if (pair.Count != 2)
                        throw PythonError.Value($"dictionary update sequence element #{index} has length {pair.Count}; 2 is required");
                    result.Set(pair[0], pair[1]);
                    index++;
                }
            }
        }
        foreach (var keyword in args.Keywords)
            result.Set(keyword.Key, keyword.Value);
        return result;
    }

    private static object? MakeNamespace(TemplateRenderer renderer, CallArgs args) => new Namespace(BuildDict(args, "dict"));

    private static object? MakeCycler(TemplateRenderer renderer, CallArgs args)
    {
        ParameterBinder.NoKeywords("Cycler.__init__", args);
        if (args.Positional.Count == 0)
            throw new PythonError(ChatTemplateErrorKind.PythonRuntime, "at least one item has to be provided");
        return new Cycler([.. args.Positional]);
    }

    private static object? MakeJoiner(TemplateRenderer renderer, CallArgs args)
    {
        var bound = ParameterBinder.Bind("Joiner.__init__", args, ["sep"], [", "], leading: 1);
        return new Joiner(bound[0]);
    }

    private static object? RaiseException(TemplateRenderer renderer, CallArgs args)
    {
        var bound = ParameterBinder.Bind("raise_exception", args, ["message"], []);
        throw new PythonError(ChatTemplateErrorKind.Raised, PythonRepr.Str(bound[0]));
    }

    private static object? StrftimeNow(TemplateRenderer renderer, CallArgs args)
    {
        var bound = ParameterBinder.Bind("strftime_now", args, ["format"], []);
        string format = PythonOps.AsString(bound[0])
            ?? throw PythonError.Type($"strftime() argument 1 must be str, not {PythonOps.TypeName(bound[0])}");
        return Strftime.Format(renderer.Now, format);
    }
}
