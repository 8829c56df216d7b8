using LlamaGen.Chat.Builtins;

namespace LlamaGen.Chat.Syntax;

/// <summary>
/// Which expressions jinja2's compiler folds at compile time (<c>as_const</c>): literals and what is built from them
/// without names, calls or context-passing filters. It matters for one thing: a folded <c>{{ ... }}</c> slices through
/// the sandbox's getitem, so <c>{{ none[1:] }}</c> prints nothing where a slice of a variable raises.
/// </summary>
internal static class ConstantExpressions
{
    // Filters that receive the render context: jinja2 never folds them.
    private static readonly HashSet<string> ContextFilters = ["map", "select", "reject", "selectattr", "rejectattr", "random"];

    public static bool IsConstant(Expression expression) => expression switch
    {
        ConstantExpression or TemplateDataExpression => true,
        TupleExpression tuple => tuple.Items.All(IsConstant),
        ListExpression list => list.Items.All(IsConstant),
        DictExpression dict => dict.Entries.All(e => IsConstant(e.Key) && IsConstant(e.Value)),
        AttributeExpression attribute => IsConstant(attribute.Target),
        ItemExpression item => IsConstant(item.Target) && IsConstant(item.Key),
        SliceExpression slice => (slice.Start is null || IsConstant(slice.Start)) && (slice.Stop is null || IsConstant(slice.Stop)) && (slice.Step is null || IsConstant(slice.Step)),
        UnaryExpression unary => IsConstant(unary.Operand),
        BinaryExpression binary => IsConstant(binary.Left) && IsConstant(binary.Right),
        CompareExpression compare => IsConstant(compare.First) && compare.Rest.All(r => IsConstant(r.Operand)),
        ConcatExpression concat => concat.Items.All(IsConstant),
        ConditionalExpression conditional => IsConstant(conditional.Test) && IsConstant(conditional.Then) && (conditional.Otherwise is null || IsConstant(conditional.Otherwise)),
        FilterExpression filter => filter.Target is not null && IsConstant(filter.Target) && BuiltinFilters.Contains(filter.Name) &&
                                   !ContextFilters.Contains(filter.Name) && ArgumentsConstant(filter.Arguments),
        TestExpression test => IsConstant(test.Target) && BuiltinTests.Contains(test.Name) && ArgumentsConstant(test.Arguments),
        _ => false,
    };

    private static bool ArgumentsConstant(CallArguments arguments) =>
        arguments.Positional.All(IsConstant) && arguments.Keywords.All(k => IsConstant(k.Value)) &&
        (arguments.StarArgs is null || IsConstant(arguments.StarArgs)) && (arguments.StarKwargs is null || IsConstant(arguments.StarKwargs));
}
