namespace LlamaGen.Chat.Syntax;

/// <summary>
/// Builds a macro's signature the way jinja2's compiler does (<c>macro_body</c>): a macro takes <c>caller</c>,
/// <c>varargs</c> or <c>kwargs</c> only when its body reads those names before assigning them
/// (<c>find_undeclared</c>), which decides whether extra arguments are accepted or refused.
/// </summary>
internal static class MacroSignatures
{
    public static MacroSignature Create(List<string> parameters, List<Expression> defaults, IReadOnlyList<Statement> body, SourcePosition position)
    {
        var finder = new UndeclaredNames(["caller", "kwargs", "varargs"]);
        finder.VisitAll(body);
        bool usesCaller = finder.Found.Contains("caller");
        int explicitCaller = parameters.IndexOf("caller");
        if (usesCaller && explicitCaller >= 0 && explicitCaller - parameters.Count + defaults.Count < 0)
            throw new ChatTemplateException(ChatTemplateErrorKind.Assertion,
                "When defining macros or call blocks the special \"caller\" argument must be omitted or be given a default.",
                position.Line, position.Column);
        return new MacroSignature(parameters, defaults,
            UsesCaller: usesCaller && explicitCaller < 0,
            UsesVarargs: finder.Found.Contains("varargs") && !parameters.Contains("varargs"),
            UsesKwargs: finder.Found.Contains("kwargs") && !parameters.Contains("kwargs"));
    }

    // jinja2's UndeclaredNameVisitor: a name read counts; a name assigned first stops being looked for. Blocks are not entered.
    private sealed class UndeclaredNames(string[] names) : SyntaxWalker
    {
        private readonly HashSet<string> _looking = [.. names];

        public HashSet<string> Found { get; } = [];

        protected override void VisitStatement(Statement statement)
        {
            if (statement is not BlockStatement)
                base.VisitStatement(statement);
        }

        protected override void VisitExpression(Expression expression, bool store)
        {
            if (expression is NameExpression name && _looking.Contains(name.Name))
            {
                if (!store)
                    Found.Add(name.Name);
                else if (!Found.Contains(name.Name))
                    _looking.Remove(name.Name);
                return;
            }
            base.VisitExpression(expression, store);
        }
    }
}
