using LlamaGen.Chat.Builtins;
using LlamaGen.Chat.Python;
using LlamaGen.Chat.Syntax;
using LlamaGen.Chat.Values;

namespace LlamaGen.Chat.Evaluation;

internal sealed partial class TemplateRenderer
{
    private object? EvaluateCall(CallExpression call, Scope scope, Macro? caller)
    {
        object? callee = Evaluate(call.Callee, scope);
        CallArgs args = EvaluateArguments(call.Arguments, scope);
        if (caller is not null)
        {
            if (args.HasKeyword("caller"))
                throw PythonError.Type("got multiple values for keyword argument 'caller'");
            args.Keywords.Add(new KeyValuePair<string, object?>("caller", caller));
        }
        return Call(callee, args);
    }

    public CallArgs EvaluateArguments(CallArguments arguments, Scope scope)
    {
        if (arguments.Positional.Count == 0 && arguments.Keywords.Count == 0 && arguments.StarArgs is null && arguments.StarKwargs is null)
            return CallArgs.Empty;
        var positional = new List<object?>(arguments.Positional.Count);
        foreach (Expression value in arguments.Positional)
            positional.Add(Evaluate(value, scope));
        var keywords = new List<KeyValuePair<string, object?>>(arguments.Keywords.Count);
        foreach (KeywordArgument keyword in arguments.Keywords)
            AddKeyword(keywords, keyword.Name, Evaluate(keyword.Value, scope));
        if (arguments.StarArgs is not null)
        {
            object? extra = Evaluate(arguments.StarArgs, scope);
            if (!PythonOps.IsIterable(extra))
                throw PythonError.Type($"Value after * must be an iterable, not {PythonOps.TypeName(extra)}");
            positional.AddRange(PythonOps.Iterate(extra));
            Budget.CheckCollection(positional.Count);
        }
        if (arguments.StarKwargs is not null)
        {
            object? extra = Evaluate(arguments.StarKwargs, scope);
            if (extra is not PyDict dict)
                throw PythonError.Type($"argument after ** must be a mapping, not {PythonOps.TypeName(extra)}");
            foreach (var entry in dict.Items)
            {
                if (PythonOps.AsString(entry.Key) is not string key)
                    throw PythonError.Type("keywords must be strings");
                AddKeyword(keywords, key, entry.Value);
            }
        }
        return new CallArgs(positional, keywords);
    }

    private static void AddKeyword(List<KeyValuePair<string, object?>> keywords, string name, object? value)
    {
        foreach (var existing in keywords)
            if (existing.Key == name)
                throw PythonError.Type($"got multiple values for keyword argument '{name}'");
        keywords.Add(new KeyValuePair<string, object?>(name, value));
    }

    /// <summary>Calls a template value: a macro, a global, a method, a recursive loop, a joiner.</summary>
    public object? Call(object? callee, CallArgs args)
    {
        switch (callee)
        {
            case Macro macro:
                return CallMacro(macro, args, null);
            case BuiltinFunction function:
                return function.Invoke(this, args);
            case BoundMethod method:
                return Methods.Invoke(this, method, args);
            case LoopContext loop:
                {
                    if (loop.Recurse is null)
                        throw PythonError.Type("The loop must have the 'recursive' marker to be called recursively.");
                    var bound = ParameterBinder.Bind("__call__", args, ["iterable"], []);
                    return Captured(loop.Recurse(bound[0], loop.Depth0 + 1));
                }
            case Joiner joiner:
                ParameterBinder.Bind("__call__", args, [], []);
                if (!joiner.Used)
                {
                    joiner.Used = true;
                    return "";
                }
                return joiner.Separator;
            case Undefined undefined:
                throw undefined.Fail();
        }
        throw PythonError.Type($"'{PythonOps.TypeName(callee)}' object is not callable");
    }

    /// <summary>jinja2's <c>Macro.__call__</c>: binds arguments (caller, kwargs, varargs as the body uses them) and renders the body.</summary>
    public object CallMacro(Macro macro, CallArgs args, object? callerOverride)
    {
        MacroSignature signature = macro.Signature;
        IReadOnlyList<string> parameters = signature.Parameters;
        var keywords = new List<KeyValuePair<string, object?>>(args.Keywords);
        var values = new object?[parameters.Count];
        var provided = new bool[parameters.Count];
        int positional = Math.Min(args.Positional.Count, parameters.Count);
        for (int i = 0; i < positional; i++)
        {
            values[i] = args.Positional[i];
            provided[i] = true;
        }
        bool foundCaller = positional == parameters.Count && parameters.Contains("caller");
        for (int i = positional; i < parameters.Count; i++)
        {
            int at = keywords.FindIndex(k => k.Key == parameters[i]);
            if (at >= 0)
            {
                values[i] = keywords[at].Value;
                provided[i] = true;
                keywords.RemoveAt(at);
            }
            if (parameters[i] == "caller")
                foundCaller = true;
        }

        object? caller = null;
        if (signature.UsesCaller && !foundCaller)
        {
            int at = keywords.FindIndex(k => k.Key == "caller");
            if (at >= 0)
            {
                caller = keywords[at].Value;
                keywords.RemoveAt(at);
            }
            caller ??= callerOverride ?? Undefined.WithHint("No caller defined");
        }

        PyDict? kwargs = null;
        if (signature.UsesKwargs)
        {
            kwargs = new PyDict(keywords.Count);
            foreach (var keyword in keywords)
                kwargs.Set(keyword.Key, keyword.Value);
        }
        else if (keywords.Count > 0)
        {
            if (keywords.Any(k => k.Key == "caller"))
                throw PythonError.Type($"macro {PythonRepr.Repr(macro.Name)} was invoked with two values for the special caller argument. This is most likely a bug.");
            throw PythonError.Type($"macro {PythonRepr.Repr(macro.Name)} takes no keyword argument {PythonRepr.ReprString(keywords[0].Key)}");
        }

        PyTuple? varargs = null;
        if (signature.UsesVarargs)
            varargs = new PyTuple(args.Positional.Skip(parameters.Count).ToArray());
        else if (args.Positional.Count > parameters.Count)
            throw PythonError.Type($"macro {PythonRepr.Repr(macro.Name)} takes not more than {parameters.Count} argument(s)");

        Budget.Enter();
        try
        {
            var scope = new Scope(macro.DefiningScope);
            int firstDefault = parameters.Count - signature.Defaults.Count;
            for (int i = 0; i < parameters.Count; i++)
            {
                object? value = values[i];
                if (!provided[i])
                {
                    value = i >= firstDefault
                        ? Evaluate(signature.Defaults[i - firstDefault], scope)
                        : Undefined.WithHint($"parameter {PythonRepr.ReprString(parameters[i])} was not provided");
                }
                scope.Set(parameters[i], value);
            }
            if (signature.UsesCaller && !foundCaller)
                scope.Set("caller", caller);
            if (kwargs is not null)
                scope.Set("kwargs", kwargs);
            if (varargs is not null)
                scope.Set("varargs", varargs);

            var capture = new OutputBuffer(Budget, isFinalOutput: false);
            Execute(macro.Body, scope, capture);
            return Captured(capture.ToString());
        }
        finally
        {
            Budget.Leave();
        }
    }

    private object? ApplyFilter(FilterExpression filter, object? value, Scope scope)
    {
        CallArgs args = EvaluateArguments(filter.Arguments, scope);
        return CallFilter(filter.Name, value, args);
    }

    /// <summary>The filters of a filter block or set block (<c>| trim | upper</c>) applied to its rendered body, innermost first.</summary>
    private object? ApplyBodyFilters(FilterExpression filter, object? body, Scope scope)
    {
        object? value = filter.Target is FilterExpression inner ? ApplyBodyFilters(inner, body, scope) : body;
        return ApplyFilter(filter, value, scope);
    }

    /// <param name="byName">Called by name from another filter (<c>map('upper')</c>): jinja2's message then lacks "found".</param>
    public object? CallFilter(string name, object? value, CallArgs args, bool byName = false)
    {
        if (!BuiltinFilters.TryGet(name, out var filter))
            throw new PythonError(ChatTemplateErrorKind.Runtime, $"No filter named {PythonRepr.ReprString(name)}{(byName ? "" : " found")}.");
        return filter(this, value, args);
    }

    private bool ApplyTest(TestExpression test, Scope scope)
    {
        object? value = Evaluate(test.Target, scope);
        CallArgs args = EvaluateArguments(test.Arguments, scope);
        return CallTest(test.Name, value, args);
    }

    public bool CallTest(string name, object? value, CallArgs args, bool byName = false)
    {
        if (!BuiltinTests.TryGet(name, out var test))
            throw new PythonError(ChatTemplateErrorKind.Runtime, $"No test named {PythonRepr.ReprString(name)}{(byName ? "" : " found")}.");
        return test(this, value, args);
    }

    public object? GetAttribute(object? target, string name) => MemberAccess.GetAttribute(target, name);

    public object? GetItem(object? target, object? key) => MemberAccess.GetItem(target, key);
}
