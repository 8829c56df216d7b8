using LlamaGen.Chat.Builtins;
using LlamaGen.Chat.Python;

namespace LlamaGen.Chat.Syntax;

/// <summary>
/// The checks jinja2 makes when it compiles a template, so a template that jinja2 refuses to load is refused here at
/// parse time too: an unknown filter or test (except inside an <c>if</c> or inline <c>if</c>, where jinja2 waits until it
/// is called), a block defined twice, a for loop assigning <c>loop</c>, and <c>break</c>/<c>continue</c> outside a loop
/// (a Python syntax error in jinja2's generated code).
/// </summary>
internal static class TemplateChecker
{
    public static void Check(TemplateBody template)
    {
        var blocks = new HashSet<string>(StringComparer.Ordinal);
        CheckBlocks(template.Statements, blocks);
        new Visitor().Statements(template.Statements, soft: false);
        CheckLoopControls(template.Statements, inLoop: false);
    }

    private static void CheckBlocks(IReadOnlyList<Statement> statements, HashSet<string> seen)
    {
        foreach (Statement statement in statements)
        {
            if (statement is BlockStatement block && !seen.Add(block.Name))
                throw Error(ChatTemplateErrorKind.Assertion, $"block {PythonRepr.ReprString(block.Name)} defined twice", block.Position);
            foreach (IReadOnlyList<Statement> body in Bodies(statement))
                CheckBlocks(body, seen);
        }
    }

    private static void CheckLoopControls(IReadOnlyList<Statement> statements, bool inLoop)
    {
        foreach (Statement statement in statements)
        {
            switch (statement)
            {
                case BreakStatement when !inLoop:
                    throw Error(ChatTemplateErrorKind.PythonSyntax, "'break' outside loop", statement.Position);
                case ContinueStatement when !inLoop:
                    throw Error(ChatTemplateErrorKind.PythonSyntax, "'continue' not properly in loop", statement.Position);
                case ForStatement @for:
                    CheckLoopControls(@for.Body, inLoop: true);
                    CheckLoopControls(@for.Else, inLoop);
                    break;
                case MacroStatement or CallBlockStatement or BlockStatement or GenerationStatement:
                    // These compile to functions of their own: a loop around them does not count inside.
                    foreach (IReadOnlyList<Statement> body in Bodies(statement))
                        CheckLoopControls(body, inLoop: false);
                    break;
                default:
                    foreach (IReadOnlyList<Statement> body in Bodies(statement))
                        CheckLoopControls(body, inLoop);
                    break;
            }
        }
    }

    private static IEnumerable<IReadOnlyList<Statement>> Bodies(Statement statement)
    {
        switch (statement)
        {
            case IfStatement @if:
                foreach (ConditionalBranch branch in @if.Branches)
                    yield return branch.Body;
                yield return @if.Else;
                break;
            case ForStatement @for:
                yield return @for.Body;
                yield return @for.Else;
                break;
            case SetBlockStatement s: yield return s.Body; break;
            case MacroStatement s: yield return s.Body; break;
            case CallBlockStatement s: yield return s.Body; break;
            case FilterBlockStatement s: yield return s.Body; break;
            case WithStatement s: yield return s.Body; break;
            case BlockStatement s: yield return s.Body; break;
            case GenerationStatement s: yield return s.Body; break;
            case AutoescapeStatement s: yield return s.Body; break;
        }
    }

    private static ChatTemplateException Error(ChatTemplateErrorKind kind, string message, SourcePosition position) =>
        new(kind, message, position.Line, position.Column);

    // Visits in jinja2's compile order, tracking its "soft frame" (inside an if test or body, or an inline if, not
    // below a frame of its own such as a loop body or macro).
    private sealed class Visitor
    {
        public void Statements(IReadOnlyList<Statement> statements, bool soft)
        {
            foreach (Statement statement in statements)
                Statement(statement, soft);
        }

        private void Statement(Statement statement, bool soft)
        {
            switch (statement)
            {
                case OutputStatement output:
                    foreach (Expression part in output.Parts)
                        Expression(part, soft);
                    break;
                case IfStatement @if:
                    foreach (ConditionalBranch branch in @if.Branches)
                    {
                        Expression(branch.Test, soft: true);
                        Statements(branch.Body, soft: true);
                    }
                    Statements(@if.Else, soft: true);
                    break;
                case ForStatement @for:
                    if (ContainsLoopName(@for.Target))
                        throw Error(ChatTemplateErrorKind.Assertion, "Can't assign to special loop variable in for-loop target", @for.Target.Position);
                    if (@for.Filter is not null)
                        Expression(@for.Filter, soft: false);
                    Expression(@for.Iterable, soft);
                    Statements(@for.Body, soft: false);
                    Statements(@for.Else, soft: false);
                    break;
                case SetStatement set:
                    Expression(set.Value, soft);
                    break;
                case SetBlockStatement setBlock:
                    Statements(setBlock.Body, soft: false);
                    if (setBlock.Filter is not null)
                        Expression(setBlock.Filter, soft: false);
                    break;
                case MacroStatement macro:
                    foreach (Expression value in macro.Signature.Defaults)
                        Expression(value, soft: false);
                    Statements(macro.Body, soft: false);
                    break;
                case CallBlockStatement callBlock:
                    foreach (Expression value in callBlock.Signature.Defaults)
                        Expression(value, soft: false);
                    Statements(callBlock.Body, soft: false);
                    Expression(callBlock.Call, soft);
                    break;
                case FilterBlockStatement filterBlock:
                    Statements(filterBlock.Body, soft: false);
                    Expression(filterBlock.Filter, soft: false);
                    break;
                case WithStatement with:
                    foreach (WithAssignment assignment in with.Assignments)
                        Expression(assignment.Value, soft);
                    Statements(with.Body, soft: false);
                    break;
                case BlockStatement block:
                    Statements(block.Body, soft: false);
                    break;
                case GenerationStatement generation:
                    Statements(generation.Body, soft: false);
                    break;
                case AutoescapeStatement autoescape:
                    Expression(autoescape.Enabled, soft: false);
                    Statements(autoescape.Body, soft: false);
                    break;
                case LoaderStatement loader:
                    Expression(loader.Template, soft);
                    break;
            }
        }

        private static bool ContainsLoopName(Expression target) => target switch
        {
            NameExpression name => name.Name == "loop",
            TupleExpression tuple => tuple.Items.Any(ContainsLoopName),
            _ => false,
        };

        private void Expression(Expression expression, bool soft)
        {
            switch (expression)
            {
                case FilterExpression filter:
                    if (!soft && !BuiltinFilters.Contains(filter.Name))
                        throw Error(ChatTemplateErrorKind.Assertion, $"No filter named {PythonRepr.ReprString(filter.Name)}.", filter.Position);
                    if (filter.Target is not null)
                        Expression(filter.Target, soft);
                    Arguments(filter.Arguments, soft);
                    break;
                case TestExpression test:
                    if (!soft && !BuiltinTests.Contains(test.Name))
                        throw Error(ChatTemplateErrorKind.Assertion, $"No test named {PythonRepr.ReprString(test.Name)}.", test.Position);
                    Expression(test.Target, soft);
                    Arguments(test.Arguments, soft);
                    break;
                case ConditionalExpression conditional:
                    Expression(conditional.Then, soft: true);
                    Expression(conditional.Test, soft: true);
                    if (conditional.Otherwise is not null)
                        Expression(conditional.Otherwise, soft: true);
                    break;
                case ListExpression list:
                    foreach (Expression item in list.Items) Expression(item, soft);
                    break;
                case TupleExpression tuple:
                    foreach (Expression item in tuple.Items) Expression(item, soft);
                    break;
                case DictExpression dict:
                    foreach (DictEntry entry in dict.Entries)
                    {
                        Expression(entry.Key, soft);
                        Expression(entry.Value, soft);
                    }
                    break;
                case AttributeExpression attribute:
                    Expression(attribute.Target, soft);
                    break;
                case ItemExpression item:
                    Expression(item.Target, soft);
                    Expression(item.Key, soft);
                    break;
                case SliceExpression slice:
                    if (slice.Start is not null) Expression(slice.Start, soft);
                    if (slice.Stop is not null) Expression(slice.Stop, soft);
                    if (slice.Step is not null) Expression(slice.Step, soft);
                    break;
                case CallExpression call:
                    Expression(call.Callee, soft);
                    Arguments(call.Arguments, soft);
                    break;
                case UnaryExpression unary:
                    Expression(unary.Operand, soft);
                    break;
                case BinaryExpression binary:
                    Expression(binary.Left, soft);
                    Expression(binary.Right, soft);
                    break;
                case CompareExpression compare:
                    Expression(compare.First, soft);
                    foreach (CompareOperand operand in compare.Rest) Expression(operand.Operand, soft);
                    break;
                case ConcatExpression concat:
                    foreach (Expression item in concat.Items) Expression(item, soft);
                    break;
            }
        }

        private void Arguments(CallArguments arguments, bool soft)
        {
            foreach (Expression value in arguments.Positional) Expression(value, soft);
            foreach (KeywordArgument keyword in arguments.Keywords) Expression(keyword.Value, soft);
            if (arguments.StarArgs is not null) Expression(arguments.StarArgs, soft);
            if (arguments.StarKwargs is not null) Expression(arguments.StarKwargs, soft);
        }
    }
}
