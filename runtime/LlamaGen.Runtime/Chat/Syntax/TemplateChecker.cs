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
    // below a frame of its own such as a loop body or macro), where unknown filters and tests wait until run time.
    private sealed class Visitor : SyntaxWalker
    {
        private bool _soft;

        public void Statements(IReadOnlyList<Statement> statements, bool soft) => Soft(soft, () => VisitAll(statements));

        private void Soft(bool soft, Action visit)
        {
            bool saved = _soft;
            _soft = soft;
            try
            {
                visit();
            }
            finally
            {
                _soft = saved;
            }
        }

        protected override void VisitStatement(Statement statement)
        {
            switch (statement)
            {
                case IfStatement:
                    Soft(true, () => base.VisitStatement(statement));
                    break;
                case ForStatement @for:
                    if (ContainsLoopName(@for.Target))
                        throw Error(ChatTemplateErrorKind.Assertion, "Can't assign to special loop variable in for-loop target", @for.Target.Position);
                    if (@for.Filter is not null)
                        Soft(false, () => VisitExpression(@for.Filter, store: false));
                    VisitExpression(@for.Iterable, store: false);
                    Statements(@for.Body, soft: false);
                    Statements(@for.Else, soft: false);
                    break;
                case CallBlockStatement callBlock:
                    Soft(false, () =>
                    {
                        VisitSignature(callBlock.Signature);
                        VisitAll(callBlock.Body);
                    });
                    VisitExpression(callBlock.Call, store: false);
                    break;
                case WithStatement with:
                    foreach (WithAssignment assignment in with.Assignments)
                        VisitExpression(assignment.Value, store: false);
                    Statements(with.Body, soft: false);
                    break;
                case OutputStatement or SetStatement or LoaderStatement:
                    base.VisitStatement(statement);
                    break;
                default:
                    // Set blocks, macros, filter blocks, blocks, generation and autoescape compile in frames of their own.
                    Soft(false, () => base.VisitStatement(statement));
                    break;
            }
        }

        private static bool ContainsLoopName(Expression target) => target switch
        {
            NameExpression name => name.Name == "loop",
            TupleExpression tuple => tuple.Items.Any(ContainsLoopName),
            _ => false,
        };

        protected override void VisitExpression(Expression expression, bool store)
        {
            switch (expression)
            {
                case FilterExpression filter when !_soft && !BuiltinFilters.Contains(filter.Name):
                    throw Error(ChatTemplateErrorKind.Assertion, $"No filter named {PythonRepr.ReprString(filter.Name)}.", filter.Position);
                case TestExpression test when !_soft && !BuiltinTests.Contains(test.Name):
                    throw Error(ChatTemplateErrorKind.Assertion, $"No test named {PythonRepr.ReprString(test.Name)}.", test.Position);
                case ConditionalExpression:
                    Soft(true, () => base.VisitExpression(expression, store));
                    return;
            }
            base.VisitExpression(expression, store);
        }
    }
}
