using LlamaGen.Chat.Values;

namespace LlamaGen.Chat.Builtins;

/// <summary>
/// Binds call arguments to a Python function's parameters (positional or keyword, defaults for the last ones), with
/// Python's TypeError messages for too many, missing, repeated or unknown arguments.
/// </summary>
internal static class ParameterBinder
{
    /// <param name="function">The Python function name for messages, e.g. <c>do_trim</c>.</param>
    /// <param name="names">Parameter names in order.</param>
    /// <param name="defaults">Defaults of the last parameters, aligned to the end of <paramref name="names"/>.</param>
    /// <param name="leading">Values already bound before these arguments (the filtered value), counted in messages as Python counts them.</param>
    public static object?[] Bind(string function, CallArgs args, string[] names, object?[] defaults, int leading = 0)
    {
        var values = new object?[names.Length];
        var bound = new bool[names.Length];
        int required = names.Length - defaults.Length;
        if (args.Positional.Count > names.Length)
        {
            int max = names.Length + leading, given = args.Positional.Count + leading;
            string takes = defaults.Length == 0
                ? $"{max} positional argument{(max == 1 ? "" : "s")}"
                : $"from {required + leading} to {max} positional arguments";
            throw PythonError.Type($"{function}() takes {takes} but {given} {(given == 1 ? "was" : "were")} given");
        }
        for (int i = 0; i < args.Positional.Count; i++)
        {
            values[i] = args.Positional[i];
            bound[i] = true;
        }
        foreach (var keyword in args.Keywords)
        {
            int at = Array.IndexOf(names, keyword.Key);
            if (at < 0)
                throw PythonError.Type($"{function}() got an unexpected keyword argument '{keyword.Key}'");
            if (bound[at])
                throw PythonError.Type($"{function}() got multiple values for argument '{keyword.Key}'");
            values[at] = keyword.Value;
            bound[at] = true;
        }
        var missing = new List<string>();
        for (int i = 0; i < names.Length; i++)
        {
            if (bound[i])
                continue;
            if (i >= required)
                values[i] = defaults[i - required];
            else
                missing.Add($"'{names[i]}'");
        }
        if (missing.Count > 0)
        {
            string list = missing.Count switch
            {
                1 => missing[0],
                2 => $"{missing[0]} and {missing[1]}",
                _ => string.Join(", ", missing.Take(missing.Count - 1)) + ", and " + missing[^1],
            };
            throw PythonError.Type($"{function}() missing {missing.Count} required positional argument{(missing.Count == 1 ? "" : "s")}: {list}");
        }
        return values;
    }

    /// <summary>Refuses keyword arguments, as Python's positional-only builtins do.</summary>
    public static void NoKeywords(string function, CallArgs args)
    {
        if (args.Keywords.Count > 0)
            throw PythonError.Type($"{function}() takes no keyword arguments");
    }

    /// <summary>For positional-only builtin methods: between <paramref name="min"/> and <paramref name="max"/> arguments.</summary>
    public static List<object?> Positional(string function, CallArgs args, int min, int max)
    {
        NoKeywords(function, args);
        int n = args.Positional.Count;
        if (n < min || n > max)
        {
            string expected = min == max ? $"exactly {min} argument{(min == 1 ? "" : "s")}"
                : n < min ? $"at least {min} argument{(min == 1 ? "" : "s")}" : $"at most {max} argument{(max == 1 ? "" : "s")}";
            throw PythonError.Type(min == max && min == 0
                ? $"{function}() takes no arguments ({n} given)"
                : $"{function} expected {expected}, got {n}");
        }
        return args.Positional;
    }
}
