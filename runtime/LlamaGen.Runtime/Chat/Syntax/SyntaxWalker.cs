namespace LlamaGen.Chat.Syntax;

/// <summary>
/// Visits a syntax tree in the order jinja2's <c>NodeVisitor</c> visits its fields, telling assignment targets
/// (<c>store</c>) from reads. Subclasses override the hooks they need and call the base to descend.
/// </summary>
internal abstract class SyntaxWalker
{
    public void VisitAll(IReadOnlyList<Statement> statements)
    {
        foreach (Statement statement in statements)
            VisitStatement(statement);
    }

    protected virtual void VisitStatement(Statement statement)
    {
        switch (statement)
        {
            case OutputStatement output:
                foreach (Expression part in output.Parts)
                    VisitExpression(part, store: false);
                break;
            case IfStatement @if:
                foreach (ConditionalBranch branch in @if.Branches)
                {
                    VisitExpression(branch.Test, store: false);
                    VisitAll(branch.Body);
                }
                VisitAll(@if.Else);
                break;
            case ForStatement @for:
                VisitExpression(@for.Target, store: true);
                VisitExpression(@for.Iterable, store: false);
                VisitAll(@for.Body);
                VisitAll(@for.Else);
                if (@for.Filter is not null)
                    VisitExpression(@for.Filter, store: false);
                break;
            case SetStatement set:
                VisitExpression(set.Target, store: true);
                VisitExpression(set.Value, store: false);
                break;
            case SetBlockStatement setBlock:
                VisitExpression(setBlock.Target, store: true);
                if (setBlock.Filter is not null)
                    VisitExpression(setBlock.Filter, store: false);
                VisitAll(setBlock.Body);
                break;
            case MacroStatement macro:
                VisitSignature(macro.Signature);
                VisitAll(macro.Body);
                break;
            case CallBlockStatement callBlock:
                VisitExpression(callBlock.Call, store: false);
                VisitSignature(callBlock.Signature);
                VisitAll(callBlock.Body);
                break;
            case FilterBlockStatement filterBlock:
                VisitAll(filterBlock.Body);
                VisitExpression(filterBlock.Filter, store: false);
                break;
            case WithStatement with:
                foreach (WithAssignment assignment in with.Assignments)
                    VisitExpression(assignment.Target, store: true);
                foreach (WithAssignment assignment in with.Assignments)
                    VisitExpression(assignment.Value, store: false);
                VisitAll(with.Body);
                break;
            case BlockStatement block:
                VisitAll(block.Body);
                break;
            case GenerationStatement generation:
                VisitAll(generation.Body);
                break;
            case AutoescapeStatement autoescape:
                VisitExpression(autoescape.Enabled, store: false);
                VisitAll(autoescape.Body);
                break;
            case LoaderStatement loader:
                VisitExpression(loader.Template, store: false);
                break;
        }
    }

    protected virtual void VisitSignature(MacroSignature signature)
    {
        foreach (Expression value in signature.Defaults)
            VisitExpression(value, store: false);
    }

    protected virtual void VisitExpression(Expression expression, bool store)
    {
        switch (expression)
        {
            case ListExpression list:
                foreach (Expression item in list.Items)
                    VisitExpression(item, store);
                break;
            case TupleExpression tuple:
                foreach (Expression item in tuple.Items)
                    VisitExpression(item, store);
                break;
            case DictExpression dict:
                foreach (DictEntry entry in dict.Entries)
                {
                    VisitExpression(entry.Key, store: false);
                    VisitExpression(entry.Value, store: false);
                }
                break;
            case AttributeExpression attribute:
                VisitExpression(attribute.Target, store: false);
                break;
            case ItemExpression item:
                VisitExpression(item.Target, store: false);
                VisitExpression(item.Key, store: false);
                break;
            case SliceExpression slice:
                if (slice.Start is not null) VisitExpression(slice.Start, store: false);
                if (slice.Stop is not null) VisitExpression(slice.Stop, store: false);
                if (slice.Step is not null) VisitExpression(slice.Step, store: false);
                break;
            case CallExpression call:
                VisitExpression(call.Callee, store: false);
                VisitArguments(call.Arguments);
                break;
            case FilterExpression filter:
                if (filter.Target is not null)
                    VisitExpression(filter.Target, store: false);
                VisitArguments(filter.Arguments);
                break;
            case TestExpression test:
                VisitExpression(test.Target, store: false);
                VisitArguments(test.Arguments);
                break;
            case UnaryExpression unary:
                VisitExpression(unary.Operand, store: false);
                break;
            case BinaryExpression binary:
                VisitExpression(binary.Left, store: false);
                VisitExpression(binary.Right, store: false);
                break;
            case CompareExpression compare:
                VisitExpression(compare.First, store: false);
                foreach (CompareOperand operand in compare.Rest)
                    VisitExpression(operand.Operand, store: false);
                break;
            case ConcatExpression concat:
                foreach (Expression item in concat.Items)
                    VisitExpression(item, store: false);
                break;
            case ConditionalExpression conditional:
                VisitExpression(conditional.Test, store: false);
                VisitExpression(conditional.Then, store: false);
                if (conditional.Otherwise is not null)
                    VisitExpression(conditional.Otherwise, store: false);
                break;
        }
    }

    protected void VisitArguments(CallArguments arguments)
    {
        foreach (Expression value in arguments.Positional)
            VisitExpression(value, store: false);
        foreach (KeywordArgument keyword in arguments.Keywords)
            VisitExpression(keyword.Value, store: false);
        if (arguments.StarArgs is not null)
            VisitExpression(arguments.StarArgs, store: false);
        if (arguments.StarKwargs is not null)
            VisitExpression(arguments.StarKwargs, store: false);
    }
}
