using LlamaGen.Chat.Python;
using LlamaGen.Chat.Syntax;
using LlamaGen.Chat.Values;

namespace LlamaGen.Chat.Evaluation;

internal sealed partial class TemplateRenderer
{
    private ControlFlow Execute(IReadOnlyList<Statement> statements, Scope scope, OutputBuffer output)
    {
        ExecutionBudget.EnsureStack();
        foreach (Statement statement in statements)
        {
            Budget.Step();
            ControlFlow flow;
            try
            {
                flow = ExecuteStatement(statement, scope, output);
            }
            catch (PythonError error)
            {
                throw AtPosition(error, statement.Position);
            }
            if (flow != ControlFlow.Normal)
                return flow;
        }
        return ControlFlow.Normal;
    }

    private ControlFlow ExecuteStatement(Statement statement, Scope scope, OutputBuffer output)
    {
        switch (statement)
        {
            case OutputStatement print:
                foreach (Expression part in print.Parts)
                {
                    if (part is TemplateDataExpression data)
                        output.Append(data.Text);
                    else
                        output.Append(ToOutput(EvaluateOutput(part, scope)));
                }
                return ControlFlow.Normal;

            case IfStatement @if:
                foreach (ConditionalBranch branch in @if.Branches)
                {
                    if (PythonOps.Truthy(Evaluate(branch.Test, scope)))
                        return Execute(branch.Body, scope, output);
                }
                return Execute(@if.Else, scope, output);

            case ForStatement @for:
                ExecuteFor(@for, scope, output);
                return ControlFlow.Normal;

            case SetStatement set:
                Assign(set.Target, Evaluate(set.Value, scope), scope, set.Position);
                return ControlFlow.Normal;

            case SetBlockStatement setBlock:
                {
                    var capture = new OutputBuffer(Budget, isFinalOutput: false);
                    var blockScope = new Scope(scope);
                    Execute(setBlock.Body, blockScope, capture);
                    object? value = Captured(capture.ToString());
                    if (setBlock.Filter is not null)
                        value = ApplyBodyFilters(setBlock.Filter, value, blockScope);
                    Assign(setBlock.Target, value, scope, setBlock.Position);
                    return ControlFlow.Normal;
                }

            case MacroStatement macro:
                scope.Set(macro.Name, new Macro(macro.Name, macro.Signature, macro.Body, scope, macro.Position));
                return ControlFlow.Normal;

            case CallBlockStatement callBlock:
                {
                    var caller = new Macro("caller", callBlock.Signature, callBlock.Body, scope, callBlock.Position);
                    object? result = EvaluateCall(callBlock.Call, scope, caller);
                    output.Append(ToOutput(result));
                    return ControlFlow.Normal;
                }

            case GenerationStatement generation:
                {
                    // Hugging Face compiles {% generation %} to a call block whose macro just returns caller().
                    var caller = new Macro("caller", new MacroSignature([], [], false, false, false), generation.Body, scope, generation.Position);
                    output.Append(ToOutput(CallMacro(caller, CallArgs.Empty, null)));
                    return ControlFlow.Normal;
                }

            case FilterBlockStatement filterBlock:
                {
                    var capture = new OutputBuffer(Budget, isFinalOutput: false);
                    var blockScope = new Scope(scope);
                    Execute(filterBlock.Body, blockScope, capture);
                    output.Append(ToOutput(ApplyBodyFilters(filterBlock.Filter, Captured(capture.ToString()), blockScope)));
                    return ControlFlow.Normal;
                }

            case WithStatement with:
                {
                    var withScope = new Scope(scope);
                    foreach (WithAssignment assignment in with.Assignments)
                        Assign(assignment.Target, Evaluate(assignment.Value, scope), withScope, with.Position);
                    return Execute(with.Body, withScope, output);
                }

            case BlockStatement block:
                {
                    // Without inheritance a block renders in place, as a function of its own: it sees the template's
                    // top-level variables (all of them when scoped) and its assignments stay inside.
                    var blockScope = new Scope(block.Scoped ? scope : _templateScope);
                    var capture = new OutputBuffer(Budget, isFinalOutput: false);
                    Execute(block.Body, blockScope, capture);
                    output.Append(capture.ToString());
                    return ControlFlow.Normal;
                }

            case AutoescapeStatement autoescape:
                {
                    bool saved = _autoescape;
                    _autoescape = PythonOps.Truthy(Evaluate(autoescape.Enabled, scope));
                    try
                    {
                        return Execute(autoescape.Body, scope, output);
                    }
                    finally
                    {
                        _autoescape = saved;
                    }
                }

            case BreakStatement:
                return ControlFlow.Break;

            case ContinueStatement:
                return ControlFlow.Continue;

            case LoaderStatement loader:
                Evaluate(loader.Template, scope);
                throw PythonError.Type("no loader for this environment specified");
        }
        throw new InvalidOperationException($"unknown statement {statement.GetType().Name}");
    }

    private void ExecuteFor(ForStatement @for, Scope scope, OutputBuffer output)
    {
        object? iterable = Evaluate(@for.Iterable, scope);
        if (!@for.Recursive)
        {
            RunLoop(@for, iterable, scope, output, depth0: 0, recurse: null);
            return;
        }

        // A recursive loop is a function of the items: loop(children) renders the same body one level deeper.
        string RenderLevel(object? items, int depth0)
        {
            Budget.Enter();
            try
            {
                var capture = new OutputBuffer(Budget, isFinalOutput: false);
                RunLoop(@for, items, scope, capture, depth0, RenderLevel);
                return capture.ToString();
            }
            finally
            {
                Budget.Leave();
            }
        }
        output.Append(RenderLevel(iterable, 0));
    }

    private void RunLoop(ForStatement @for, object? iterable, Scope scope, OutputBuffer output, int depth0, Func<object?, int, string>? recurse)
    {
        IReadOnlyList<object?> items = @for.Filter is null ? LoopItems(iterable) : FilteredItems(@for, iterable, scope);
        var loop = new LoopContext(items, depth0, recurse);
        for (int i = 0; i < items.Count; i++)
        {
            Budget.Step(); // an iteration costs a step even when its body is empty
            loop.Index0 = i;
            // Each iteration starts from the enclosing scope afresh, as jinja2 re-reads outer variables per iteration.
            var iterationScope = new Scope(scope);
            iterationScope.Set("loop", loop);
            Assign(@for.Target, items[i], iterationScope, @for.Position);
            if (Execute(@for.Body, iterationScope, output) == ControlFlow.Break)
                break;
        }
        if (items.Count == 0)
            Execute(@for.Else, new Scope(scope), output);
    }

    // Lists, tuples and ranges are looped over in place (templates cannot change them); anything else is read first,
    // as jinja2's loop reads ahead for `length` and `last`.
    private IReadOnlyList<object?> LoopItems(object? iterable)
    {
        switch (iterable)
        {
            case List<object?> list: return list;
            case PyTuple tuple: return tuple.Items;
            case PyRange range: return new RangeItems(range);
        }
        var items = new List<object?>();
        foreach (object? item in PythonOps.Iterate(iterable))
        {
            Budget.Step();
            items.Add(item);
            Budget.CheckCollection(items.Count);
        }
        return items;
    }

    private List<object?> FilteredItems(ForStatement @for, object? iterable, Scope scope)
    {
        var items = new List<object?>();
        foreach (object? item in PythonOps.Iterate(iterable))
        {
            Budget.Step();
            if (@for.Filter is not null)
            {
                // The filter sees the loop target but not the new `loop`.
                var filterScope = new Scope(scope);
                Assign(@for.Target, item, filterScope, @for.Position);
                if (!PythonOps.Truthy(Evaluate(@for.Filter, filterScope)))
                    continue;
            }
            items.Add(item);
            Budget.CheckCollection(items.Count);
        }
        return items;
    }

    /// <summary>Assigns to a name, a tuple of targets (unpacking as Python does) or a namespace attribute.</summary>
    private void Assign(Expression target, object? value, Scope scope, SourcePosition position)
    {
        switch (target)
        {
            case NameExpression name:
                scope.Set(name.Name, value);
                return;
            case NamespaceReference reference:
                {
                    scope.TryGet(reference.Name, out object? ns);
                    if (ns is not Namespace namespaceObject)
                        throw new PythonError(ChatTemplateErrorKind.Runtime, "cannot assign attribute on non-namespace object");
                    namespaceObject.Attributes.Set(reference.Attribute, value);
                    return;
                }
            case TupleExpression tuple:
                {
                    if (value is Undefined undefinedValue)
                        throw undefinedValue.Fail();
                    if (!PythonOps.IsIterable(value))
                        throw PythonError.Type($"cannot unpack non-iterable {PythonOps.TypeName(value)} object");
                    var items = PythonOps.Iterate(value).Take(tuple.Items.Count + 1).ToList();
                    if (items.Count > tuple.Items.Count)
                        throw PythonError.Value($"too many values to unpack (expected {tuple.Items.Count})");
                    if (items.Count < tuple.Items.Count)
                        throw PythonError.Value($"not enough values to unpack (expected {tuple.Items.Count}, got {items.Count})");
                    for (int i = 0; i < items.Count; i++)
                        Assign(tuple.Items[i], items[i], scope, position);
                    return;
                }
        }
        throw new PythonError(ChatTemplateErrorKind.Syntax, "can't assign to this target");
    }
}
