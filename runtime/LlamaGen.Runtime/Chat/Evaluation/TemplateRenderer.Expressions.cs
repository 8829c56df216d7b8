using System.Text;
using LlamaGen.Chat.Python;
using LlamaGen.Chat.Syntax;
using LlamaGen.Chat.Values;

namespace LlamaGen.Chat.Evaluation;

internal sealed partial class TemplateRenderer
{
    public object? Evaluate(Expression expression, Scope scope)
    {
        Budget.Step();
        // Nested expressions inside nested macro calls can go deep on a small thread stack: stop before it overflows.
        ExecutionBudget.EnsureStack();
        try
        {
            return EvaluateCore(expression, scope);
        }
        catch (PythonError error)
        {
            throw AtPosition(error, expression.Position);
        }
    }

    // Set while a {{ }} expression made only of constants is evaluated the way jinja2 folds it at compile time.
    private bool _folding;

    /// <summary>
    /// A <c>{{ }}</c> expression. jinja2 computes constant ones when it compiles the template, where a failing slice
    /// gives an undefined value instead of an error; if folding fails, jinja2 evaluates at run time as usual.
    /// </summary>
    private object? EvaluateOutput(Expression expression, Scope scope)
    {
        if (!ConstantExpressions.IsConstant(expression))
            return Evaluate(expression, scope);
        _folding = true;
        try
        {
            return Evaluate(expression, scope);
        }
        catch (ChatTemplateException e) when (e.Kind != ChatTemplateErrorKind.LimitExceeded)
        {
            // Folding failed (jinja2's Impossible): evaluate as the generated code would.
        }
        finally
        {
            _folding = false;
        }
        return Evaluate(expression, scope);
    }

    private object? EvaluateCore(Expression expression, Scope scope)
    {
        switch (expression)
        {
            case ConstantExpression constant:
                return constant.Value;

            case TemplateDataExpression data:
                return data.Text;

            case NameExpression name:
                return scope.TryGet(name.Name, out object? value) ? value : Undefined.ForName(name.Name);

            case ListExpression list:
                {
                    Budget.CheckCollection(list.Items.Count);
                    var result = new List<object?>(list.Items.Count);
                    foreach (Expression item in list.Items)
                        result.Add(Evaluate(item, scope));
                    return result;
                }

            case TupleExpression tuple:
                {
                    var items = new object?[tuple.Items.Count];
                    for (int i = 0; i < items.Length; i++)
                        items[i] = Evaluate(tuple.Items[i], scope);
                    return new PyTuple(items);
                }

            case DictExpression dict:
                {
                    var result = new PyDict(dict.Entries.Count);
                    foreach (DictEntry entry in dict.Entries)
                    {
                        object? key = Evaluate(entry.Key, scope);
                        result.Set(key, Evaluate(entry.Value, scope));
                    }
                    return result;
                }

            case AttributeExpression attribute:
                return GetAttribute(Evaluate(attribute.Target, scope), attribute.Name);

            case ItemExpression item:
                {
                    object? target = Evaluate(item.Target, scope);
                    if (item.Key is SliceExpression slice)
                    {
                        // Slices bypass the sandbox's getitem, as in jinja2: Python slices the object directly.
                        object? start = slice.Start is null ? null : Evaluate(slice.Start, scope);
                        object? stop = slice.Stop is null ? null : Evaluate(slice.Stop, scope);
                        object? step = slice.Step is null ? null : Evaluate(slice.Step, scope);
                        if (_folding)
                        {
                            try
                            {
                                return SliceValue(target, start, stop, step);
                            }
                            catch (PythonError error) when (error.Kind is ChatTemplateErrorKind.Type or ChatTemplateErrorKind.Index or ChatTemplateErrorKind.Key)
                            {
                                return Undefined.ForMember(target, new PySlice(start, stop, step));
                            }
                        }
                        return SliceValue(target, start, stop, step);
                    }
                    return GetItem(target, Evaluate(item.Key, scope));
                }

            case SliceExpression slice:
                // A slice outside brackets only occurs as part of a tuple key: d[1:2, 3].
                throw PythonError.Type("unhashable type: 'slice'");

            case CallExpression call:
                return EvaluateCall(call, scope, caller: null);

            case FilterExpression filter:
                return ApplyFilter(filter, filter.Target is null ? null : Evaluate(filter.Target, scope), scope);

            case TestExpression test:
                return ApplyTest(test, scope);

            case UnaryExpression unary:
                {
                    object? operand = Evaluate(unary.Operand, scope);
                    return unary.Operator switch
                    {
                        UnaryOperator.Not => !PythonOps.Truthy(operand),
                        UnaryOperator.Negate => PythonArithmetic.Negate(operand),
                        _ => PythonArithmetic.Plus(operand),
                    };
                }

            case BinaryExpression binary:
                return EvaluateBinary(binary, scope);

            case CompareExpression compare:
                {
                    object? left = Evaluate(compare.First, scope);
                    foreach (CompareOperand operand in compare.Rest)
                    {
                        object? right = Evaluate(operand.Operand, scope);
                        if (!CompareValues(operand.Operator, left, right))
                            return false;
                        left = right;
                    }
                    return true;
                }

            case ConcatExpression concat:
                {
                    var builder = new StringBuilder();
                    bool anyMarkup = false;
                    foreach (Expression item in concat.Items)
                    {
                        object? part = Evaluate(item, scope);
                        anyMarkup |= part is Markup;
                        string text = _autoescape && part is not Markup ? HtmlEscape.Escape(PythonRepr.Str(part)) : PythonRepr.Str(part);
                        Budget.CheckString((long)builder.Length + text.Length);
                        builder.Append(text);
                    }
                    return _autoescape ? new Markup(builder.ToString()) : builder.ToString();
                }

            case ConditionalExpression conditional:
                if (PythonOps.Truthy(Evaluate(conditional.Test, scope)))
                    return Evaluate(conditional.Then, scope);
                if (conditional.Otherwise is not null)
                    return Evaluate(conditional.Otherwise, scope);
                return Undefined.WithHint($"the inline if-expression on line {conditional.Position.Line} evaluated to false and no else section was defined.");

            case NamespaceReference reference:
                throw new PythonError(ChatTemplateErrorKind.Syntax, $"{reference.Name}.{reference.Attribute} can only be assigned");
        }
        throw new InvalidOperationException($"unknown expression {expression.GetType().Name}");
    }

    private object? EvaluateBinary(BinaryExpression binary, Scope scope)
    {
        object? left = Evaluate(binary.Left, scope);
        switch (binary.Operator)
        {
            case BinaryOperator.And:
                return PythonOps.Truthy(left) ? Evaluate(binary.Right, scope) : left;
            case BinaryOperator.Or:
                return PythonOps.Truthy(left) ? left : Evaluate(binary.Right, scope);
        }
        object? right = Evaluate(binary.Right, scope);
        return binary.Operator switch
        {
            BinaryOperator.Add => PythonArithmetic.Add(left, right, Budget),
            BinaryOperator.Subtract => PythonArithmetic.Subtract(left, right, Budget),
            BinaryOperator.Multiply => PythonArithmetic.Multiply(left, right, Budget),
            BinaryOperator.Divide => PythonArithmetic.Divide(left, right),
            BinaryOperator.FloorDivide => PythonArithmetic.FloorDivide(left, right, Budget),
            BinaryOperator.Modulo => PythonArithmetic.Modulo(left, right, this),
            _ => PythonArithmetic.Power(left, right, Budget),
        };
    }

    public static bool CompareValues(CompareOperator op, object? left, object? right)
    {
        switch (op)
        {
            case CompareOperator.Equal: return PythonOps.Equal(left, right);
            case CompareOperator.NotEqual: return !PythonOps.Equal(left, right);
            case CompareOperator.In: return PythonOps.Contains(right, left);
            case CompareOperator.NotIn: return !PythonOps.Contains(right, left);
        }
        string symbol = op switch
        {
            CompareOperator.Less => "<",
            CompareOperator.LessOrEqual => "<=",
            CompareOperator.Greater => ">",
            _ => ">=",
        };
        int c = PythonOps.Compare(left, right, symbol);
        if (c == int.MinValue)
            return false;
        return op switch
        {
            CompareOperator.Less => c < 0,
            CompareOperator.LessOrEqual => c <= 0,
            CompareOperator.Greater => c > 0,
            _ => c >= 0,
        };
    }

    private static object? SliceValue(object? target, object? start, object? stop, object? step)
    {
        if (target is PyDict)
            throw PythonError.Type("unhashable type: 'slice'");
        return PythonSlice.Slice(target, start, stop, step);
    }
}
