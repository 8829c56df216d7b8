using System.Runtime.CompilerServices;

namespace LlamaGen.Chat.Syntax;

/// <summary>
/// jinja2's recursive-descent parser (<c>jinja2/parser.py</c>) with the loop-control extension (<c>break</c>,
/// <c>continue</c>) and Hugging Face's <c>generation</c> tag: the same grammar, precedence, token tests and error
/// messages, reporting the line jinja2 reports plus the column.
/// </summary>
internal sealed class TemplateParser
{
    private static readonly HashSet<string> StatementKeywords =
        ["for", "if", "block", "extends", "print", "macro", "include", "from", "import", "set", "with", "autoescape"];

    private readonly TemplateLexer _lexer;
    private readonly IEnumerator<Token> _tokens;
    private readonly Queue<Token> _pushed = new();
    private readonly List<string> _tagStack = [];
    private readonly List<string[]> _endTokenStack = [];
    private readonly int _maxDepth;
    private Token _current;
    private int _depth;

    private TemplateParser(string source, int maxDepth)
    {
        _lexer = new TemplateLexer(source);
        _tokens = _lexer.Tokenize().GetEnumerator();
        _maxDepth = maxDepth;
        _current = new Token(TokenKind.Data, "", null, new SourcePosition(1, 1));
        Next();
    }

    /// <summary>Parses a template; <paramref name="maxDepth"/> bounds how deeply expressions and blocks may nest.</summary>
    /// <exception cref="ChatTemplateException">The template is malformed (kind <see cref="ChatTemplateErrorKind.Syntax"/>).</exception>
    public static TemplateBody Parse(string source, int maxDepth)
    {
        var parser = new TemplateParser(source, maxDepth);
        return new TemplateBody(parser.Subparse(null));
    }

    // ---- token stream (jinja2's TokenStream) ----

    private bool HasMore => _pushed.Count > 0 || _current.Kind != TokenKind.Eof;

    private Token Next()
    {
        Token previous = _current;
        if (_pushed.Count > 0)
        {
            _current = _pushed.Dequeue();
        }
        else if (_current.Kind != TokenKind.Eof)
        {
            // At the end, jinja2's EOF token takes the line of the last token, not of the end of the text.
            _current = _tokens.MoveNext() ? _tokens.Current : new Token(TokenKind.Eof, "", null, _current.Position);
        }
        return previous;
    }

    private Token Look()
    {
        Token old = Next();
        Token result = _current;
        _pushed.Enqueue(result);
        _current = old;
        return result;
    }

    private bool SkipIf(TokenKind kind)
    {
        if (_current.Kind != kind)
            return false;
        Next();
        return true;
    }

    private bool SkipIfName(string name)
    {
        if (!_current.IsName(name))
            return false;
        Next();
        return true;
    }

    private Token Expect(TokenKind kind) => ExpectCore(_current.Kind == kind, Token.DescribeKind(kind));

    private Token ExpectName(string name) => ExpectCore(_current.IsName(name), name);

    private Token ExpectCore(bool matches, string expected)
    {
        if (!matches)
        {
            if (_current.Kind == TokenKind.Eof)
                throw Fail($"unexpected end of template, expected {Repr(expected)}.", _current);
            throw Fail($"expected token {Repr(expected)}, got {Repr(_current.Describe())}", _current);
        }
        return Next();
    }

    private static string Repr(string text) => Python.PythonRepr.ReprString(text);

    private static ChatTemplateException Fail(string message, Token at) => Fail(message, at.Position);

    private static ChatTemplateException Fail(string message, SourcePosition at) =>
        new(ChatTemplateErrorKind.Syntax, message, at.Line, at.Column);

    private void Enter()
    {
        if (++_depth > _maxDepth)
            throw Fail($"the template nests deeper than {_maxDepth} levels", _current);
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
            throw Fail("the template nests too deeply to parse", _current);
    }

    private void Leave() => _depth--;

    // ---- statements ----

    private List<Statement> Subparse(string[]? endTokens)
    {
        var body = new List<Statement>();
        var data = new List<Expression>();
        if (endTokens is not null)
            _endTokenStack.Add(endTokens);
        Enter();
        try
        {
            while (HasMore)
            {
                Token token = _current;
                if (token.Kind == TokenKind.Data)
                {
                    if (token.Text.Length > 0)
                        data.Add(new TemplateDataExpression(token.Position, token.Text));
                    Next();
                }
                else if (token.Kind == TokenKind.VariableBegin)
                {
                    Next();
                    data.Add(ParseTuple(withCondition: true));
                    Expect(TokenKind.VariableEnd);
                }
                else if (token.Kind == TokenKind.BlockBegin)
                {
                    Flush(body, data);
                    Next();
                    if (endTokens is not null && _current.Kind == TokenKind.Name && Array.IndexOf(endTokens, _current.Text) >= 0)
                        return body;
                    body.Add(ParseStatement());
                    Expect(TokenKind.BlockEnd);
                }
                else
                {
                    throw Fail("internal parsing error", token);
                }
            }
            Flush(body, data);
            return body;
        }
        finally
        {
            Leave();
            if (endTokens is not null)
                _endTokenStack.RemoveAt(_endTokenStack.Count - 1);
        }
    }

    private static void Flush(List<Statement> body, List<Expression> data)
    {
        if (data.Count == 0)
            return;
        body.Add(new OutputStatement(data[0].Position, [.. data]));
        data.Clear();
    }

    private Statement ParseStatement()
    {
        Token token = _current;
        if (token.Kind != TokenKind.Name)
            throw Fail("tag name expected", token);
        _tagStack.Add(token.Text);
        bool popTag = true;
        try
        {
            switch (token.Text)
            {
                case "for": return ParseFor();
                case "if": return ParseIf();
                case "block": return ParseBlock();
                case "extends": Next(); return new LoaderStatement(token.Position, ParseExpression());
                case "print": return ParsePrint();
                case "macro": return ParseMacro();
                case "include": return ParseInclude();
                case "from": return ParseFrom();
                case "import": return ParseImport();
                case "set": return ParseSet();
                case "with": return ParseWith();
                case "autoescape": return ParseAutoescape();
                case "call": return ParseCallBlock();
                case "filter": return ParseFilterBlock();
                case "break": Next(); return new BreakStatement(token.Position);
                case "continue": Next(); return new ContinueStatement(token.Position);
                case "generation":
                    Next();
                    return new GenerationStatement(token.Position, ParseStatements(["endgeneration"], dropNeedle: true));
            }
            _tagStack.RemoveAt(_tagStack.Count - 1);
            popTag = false;
            throw FailUnknownTag(token.Text, token, _endTokenStack);
        }
        finally
        {
            if (popTag)
                _tagStack.RemoveAt(_tagStack.Count - 1);
        }
    }

    private ChatTemplateException FailUnknownTag(string? name, Token at, List<string[]> endTokenStack)
    {
        var expected = new HashSet<string>();
        foreach (string[] tokens in endTokenStack)
            expected.UnionWith(tokens);
        string? currentlyLooking = endTokenStack.Count > 0
            ? string.Join(" or ", endTokenStack[^1].Select(Repr))
            : null;

        var message = new List<string> { name is null ? "Unexpected end of template." : $"Encountered unknown tag {Repr(name)}." };
        if (currentlyLooking is not null)
        {
            if (name is not null && expected.Contains(name))
                message.Add($"You probably made a nesting mistake. Jinja is expecting this tag, but currently looking for {currentlyLooking}.");
            else
                message.Add($"Jinja was looking for the following tags: {currentlyLooking}.");
        }
        if (_tagStack.Count > 0)
            message.Add($"The innermost block that needs to be closed is {Repr(_tagStack[^1])}.");
        return Fail(string.Join(" ", message), at);
    }

    private List<Statement> ParseStatements(string[] endTokens, bool dropNeedle = false)
    {
        SkipIf(TokenKind.Colon);
        Expect(TokenKind.BlockEnd);
        List<Statement> result = Subparse(endTokens);
        if (_current.Kind == TokenKind.Eof)
        {
            var stack = new List<string[]>(_endTokenStack) { endTokens };
            throw FailUnknownTag(null, _current, stack);
        }
        if (dropNeedle)
            Next();
        return result;
    }

    private Statement ParseSet()
    {
        Token token = Next();
        Expression target = ParseAssignTarget(withNamespace: true);
        if (SkipIf(TokenKind.Assign))
            return new SetStatement(token.Position, target, ParseTuple());
        FilterExpression? filter = ParseFilter(null) as FilterExpression;
        List<Statement> body = ParseStatements(["endset"], dropNeedle: true);
        return new SetBlockStatement(token.Position, target, filter, body);
    }

    private Statement ParseFor()
    {
        Token token = ExpectName("for");
        Expression target = ParseAssignTarget(extraEndRules: ["in"]);
        ExpectName("in");
        Expression iterable = ParseTuple(withCondition: false, extraEndRules: ["recursive"]);
        Expression? filter = null;
        if (SkipIfName("if"))
            filter = ParseExpression();
        bool recursive = SkipIfName("recursive");
        List<Statement> body = ParseStatements(["endfor", "else"]);
        List<Statement> otherwise = Next().Text == "endfor" ? [] : ParseStatements(["endfor"], dropNeedle: true);
        return new ForStatement(token.Position, target, iterable, filter, recursive, body, otherwise);
    }

    private Statement ParseIf()
    {
        Token token = ExpectName("if");
        var branches = new List<ConditionalBranch>();
        List<Statement> otherwise = [];
        while (true)
        {
            Expression test = ParseTuple(withCondition: false);
            List<Statement> body = ParseStatements(["elif", "else", "endif"]);
            branches.Add(new ConditionalBranch(test, body));
            Token next = Next();
            if (next.IsName("elif"))
                continue;
            if (next.IsName("else"))
                otherwise = ParseStatements(["endif"], dropNeedle: true);
            break;
        }
        return new IfStatement(token.Position, branches, otherwise);
    }

    private Statement ParseWith()
    {
        Token token = Next();
        var assignments = new List<WithAssignment>();
        while (_current.Kind != TokenKind.BlockEnd)
        {
            if (assignments.Count > 0)
                Expect(TokenKind.Comma);
            Expression target = ParseAssignTarget();
            Expect(TokenKind.Assign);
            assignments.Add(new WithAssignment(target, ParseExpression()));
        }
        return new WithStatement(token.Position, assignments, ParseStatements(["endwith"], dropNeedle: true));
    }

    private Statement ParseAutoescape()
    {
        Token token = Next();
        Expression enabled = ParseExpression();
        return new AutoescapeStatement(token.Position, enabled, ParseStatements(["endautoescape"], dropNeedle: true));
    }

    private Statement ParseBlock()
    {
        Token token = Next();
        string name = Expect(TokenKind.Name).Text;
        bool scoped = SkipIfName("scoped");
        bool required = SkipIfName("required");
        if (_current.Kind == TokenKind.Sub)
            throw Fail("Block names in Jinja have to be valid Python identifiers and may not contain hyphens, use an underscore instead.", _current);
        List<Statement> body = ParseStatements(["endblock"], dropNeedle: true);
        if (required)
        {
            foreach (Statement statement in body)
            {
                if (statement is not OutputStatement output || output.Parts.Any(p => p is not TemplateDataExpression data || !IsAllSpace(data.Text)))
                    throw Fail("Required blocks can only contain comments or whitespace", _current);
            }
        }
        SkipIfName(name);
        return new BlockStatement(token.Position, name, scoped, body);
    }

    private static bool IsAllSpace(string text) => text.Length > 0 && text.All(c => Python.PythonChars.IsSpace(c));

    private Statement ParseInclude()
    {
        Token token = Next();
        Expression template = ParseExpression();
        if (_current.IsName("ignore") && Look().IsName("missing"))
        {
            Next();
            Next();
        }
        ParseImportContext();
        return new LoaderStatement(token.Position, template);
    }

    private Statement ParseImport()
    {
        Token token = Next();
        Expression template = ParseExpression();
        ExpectName("as");
        ParseAssignTarget(nameOnly: true);
        ParseImportContext();
        return new LoaderStatement(token.Position, template);
    }

    private void ParseImportContext()
    {
        if ((_current.IsName("with") || _current.IsName("without")) && Look().IsName("context"))
        {
            Next();
            Next();
        }
    }

    private Statement ParseFrom()
    {
        Token token = Next();
        Expression template = ParseExpression();
        ExpectName("import");
        int names = 0;
        while (true)
        {
            if (names > 0)
                Expect(TokenKind.Comma);
            if (_current.Kind == TokenKind.Name)
            {
                if (ParseFromContext())
                    break;
                var target = (NameExpression)ParseAssignTarget(nameOnly: true);
                if (target.Name.StartsWith('_'))
                    throw new ChatTemplateException(ChatTemplateErrorKind.Assertion, "names starting with an underline can not be imported",
                        target.Position.Line, target.Position.Column);
                if (SkipIfName("as"))
                    ParseAssignTarget(nameOnly: true);
                names++;
                if (ParseFromContext() || _current.Kind != TokenKind.Comma)
                    break;
            }
            else
            {
                Expect(TokenKind.Name);
            }
        }
        return new LoaderStatement(token.Position, template);
    }

    private bool ParseFromContext()
    {
        if (_current.Kind == TokenKind.Name && _current.Text is "with" or "without" && Look().IsName("context"))
        {
            Next();
            Next();
            return true;
        }
        return false;
    }

    private (List<string> Parameters, List<Expression> Defaults) ParseSignature()
    {
        var parameters = new List<string>();
        var defaults = new List<Expression>();
        Expect(TokenKind.LParen);
        while (_current.Kind != TokenKind.RParen)
        {
            if (parameters.Count > 0)
                Expect(TokenKind.Comma);
            var parameter = (NameExpression)ParseAssignTarget(nameOnly: true);
            if (SkipIf(TokenKind.Assign))
                defaults.Add(ParseExpression());
            else if (defaults.Count > 0)
                throw Fail("non-default argument follows default argument", _current);
            parameters.Add(parameter.Name);
        }
        Expect(TokenKind.RParen);
        return (parameters, defaults);
    }

    private Statement ParseCallBlock()
    {
        Token token = Next();
        List<string> parameters = [];
        List<Expression> defaults = [];
        if (_current.Kind == TokenKind.LParen)
            (parameters, defaults) = ParseSignature();
        Expression call = ParseExpression();
        if (call is not CallExpression callExpression)
            throw Fail("expected call", token);
        List<Statement> body = ParseStatements(["endcall"], dropNeedle: true);
        return new CallBlockStatement(token.Position, callExpression, MacroSignatures.Create(parameters, defaults, body, token.Position), body);
    }

    private Statement ParseFilterBlock()
    {
        Token token = Next();
        var filter = (FilterExpression)ParseFilter(null, startInline: true)!;
        return new FilterBlockStatement(token.Position, filter, ParseStatements(["endfilter"], dropNeedle: true));
    }

    private Statement ParseMacro()
    {
        Token token = Next();
        var name = (NameExpression)ParseAssignTarget(nameOnly: true);
        var (parameters, defaults) = ParseSignature();
        List<Statement> body = ParseStatements(["endmacro"], dropNeedle: true);
        return new MacroStatement(token.Position, name.Name, MacroSignatures.Create(parameters, defaults, body, token.Position), body);
    }

    private Statement ParsePrint()
    {
        Token token = Next();
        var parts = new List<Expression>();
        while (_current.Kind != TokenKind.BlockEnd)
        {
            if (parts.Count > 0)
                Expect(TokenKind.Comma);
            parts.Add(ParseExpression());
        }
        return new OutputStatement(token.Position, parts);
    }

    // ---- expressions ----

    private Expression ParseAssignTarget(bool withTuple = true, bool nameOnly = false, string[]? extraEndRules = null, bool withNamespace = false)
    {
        Expression target;
        if (nameOnly)
        {
            Token token = Expect(TokenKind.Name);
            target = new NameExpression(token.Position, token.Text);
        }
        else if (withTuple)
        {
            target = ParseTuple(simplified: true, extraEndRules: extraEndRules, withNamespace: withNamespace);
        }
        else
        {
            target = ParsePrimary(withNamespace);
        }
        if (!CanAssign(target))
            throw Fail($"can't assign to {Repr(NodeTypeName(target))}", target.Position);
        return target;
    }

    private static bool CanAssign(Expression target) => target switch
    {
        NameExpression => true,
        NamespaceReference => true,
        TupleExpression tuple => tuple.Items.All(CanAssign),
        _ => false,
    };

    // The lower-cased jinja2 node class name, as "can't assign to ..." messages print it.
    private static string NodeTypeName(Expression node) => node switch
    {
        ConstantExpression => "const",
        ListExpression => "list",
        DictExpression => "dict",
        CallExpression => "call",
        AttributeExpression => "getattr",
        ItemExpression => "getitem",
        FilterExpression => "filter",
        TestExpression => "test",
        ConcatExpression => "concat",
        CompareExpression => "compare",
        ConditionalExpression => "condexpr",
        UnaryExpression { Operator: UnaryOperator.Not } => "not",
        UnaryExpression { Operator: UnaryOperator.Negate } => "neg",
        UnaryExpression => "pos",
        BinaryExpression binary => binary.Operator switch
        {
            BinaryOperator.Add => "add",
            BinaryOperator.Subtract => "sub",
            BinaryOperator.Multiply => "mul",
            BinaryOperator.Divide => "div",
            BinaryOperator.FloorDivide => "floordiv",
            BinaryOperator.Modulo => "mod",
            BinaryOperator.Power => "pow",
            BinaryOperator.And => "and",
            _ => "or",
        },
        _ => "expr",
    };

    private Expression ParseExpression(bool withCondition = true) => withCondition ? ParseConditional() : ParseOr();

    private Expression ParseConditional()
    {
        SourcePosition position = _current.Position;
        Expression expr1 = ParseOr();
        while (SkipIfName("if"))
        {
            Expression test = ParseOr();
            Expression? otherwise = SkipIfName("else") ? ParseConditional() : null;
            expr1 = new ConditionalExpression(position, test, expr1, otherwise);
            position = _current.Position;
        }
        return expr1;
    }

    private Expression ParseOr() => ParseLogical("or", BinaryOperator.Or, ParseAnd);

    private Expression ParseAnd() => ParseLogical("and", BinaryOperator.And, ParseNot);

    private Expression ParseLogical(string keyword, BinaryOperator op, Func<Expression> operand)
    {
        SourcePosition position = _current.Position;
        Expression left = operand();
        while (SkipIfName(keyword))
        {
            left = new BinaryExpression(position, op, left, operand());
            position = _current.Position;
        }
        return left;
    }

    private Expression ParseNot()
    {
        if (_current.IsName("not"))
        {
            Token token = Next();
            Enter();
            try
            {
                return new UnaryExpression(token.Position, UnaryOperator.Not, ParseNot());
            }
            finally
            {
                Leave();
            }
        }
        return ParseCompare();
    }

    private Expression ParseCompare()
    {
        SourcePosition position = _current.Position;
        Expression first = ParseMath1();
        var rest = new List<CompareOperand>();
        while (true)
        {
            CompareOperator? op = _current.Kind switch
            {
                TokenKind.Eq => CompareOperator.Equal,
                TokenKind.Ne => CompareOperator.NotEqual,
                TokenKind.Lt => CompareOperator.Less,
                TokenKind.LtEq => CompareOperator.LessOrEqual,
                TokenKind.Gt => CompareOperator.Greater,
                TokenKind.GtEq => CompareOperator.GreaterOrEqual,
                _ => null,
            };
            if (op is not null)
            {
                Next();
                rest.Add(new CompareOperand(op.Value, ParseMath1()));
            }
            else if (SkipIfName("in"))
            {
                rest.Add(new CompareOperand(CompareOperator.In, ParseMath1()));
            }
            else if (_current.IsName("not") && Look().IsName("in"))
            {
                Next();
                Next();
                rest.Add(new CompareOperand(CompareOperator.NotIn, ParseMath1()));
            }
            else
            {
                break;
            }
            position = _current.Position;
        }
        return rest.Count == 0 ? first : new CompareExpression(position, first, rest);
    }

    private Expression ParseMath1()
    {
        SourcePosition position = _current.Position;
        Expression left = ParseConcat();
        while (_current.Kind is TokenKind.Add or TokenKind.Sub)
        {
            BinaryOperator op = _current.Kind == TokenKind.Add ? BinaryOperator.Add : BinaryOperator.Subtract;
            Next();
            left = new BinaryExpression(position, op, left, ParseConcat());
            position = _current.Position;
        }
        return left;
    }

    private Expression ParseConcat()
    {
        SourcePosition position = _current.Position;
        var items = new List<Expression> { ParseMath2() };
        while (_current.Kind == TokenKind.Tilde)
        {
            Next();
            items.Add(ParseMath2());
        }
        return items.Count == 1 ? items[0] : new ConcatExpression(position, items);
    }

    private Expression ParseMath2()
    {
        SourcePosition position = _current.Position;
        Expression left = ParsePow();
        while (_current.Kind is TokenKind.Mul or TokenKind.Div or TokenKind.FloorDiv or TokenKind.Mod)
        {
            BinaryOperator op = _current.Kind switch
            {
                TokenKind.Mul => BinaryOperator.Multiply,
                TokenKind.Div => BinaryOperator.Divide,
                TokenKind.FloorDiv => BinaryOperator.FloorDivide,
                _ => BinaryOperator.Modulo,
            };
            Next();
            left = new BinaryExpression(position, op, left, ParsePow());
            position = _current.Position;
        }
        return left;
    }

    private Expression ParsePow()
    {
        SourcePosition position = _current.Position;
        Expression left = ParseUnary();
        while (_current.Kind == TokenKind.Pow)
        {
            Next();
            left = new BinaryExpression(position, BinaryOperator.Power, left, ParseUnary());
            position = _current.Position;
        }
        return left;
    }

    private Expression ParseUnary(bool withFilter = true)
    {
        Enter();
        try
        {
            Token token = _current;
            Expression node;
            if (token.Kind == TokenKind.Sub)
            {
                Next();
                node = new UnaryExpression(token.Position, UnaryOperator.Negate, ParseUnary(false));
            }
            else if (token.Kind == TokenKind.Add)
            {
                Next();
                node = new UnaryExpression(token.Position, UnaryOperator.Plus, ParseUnary(false));
            }
            else
            {
                node = ParsePrimary();
            }
            node = ParsePostfix(node);
            if (withFilter)
                node = ParseFilterExpression(node);
            return node;
        }
        finally
        {
            Leave();
        }
    }

    private Expression ParsePrimary(bool withNamespace = false)
    {
        Token token = _current;
        switch (token.Kind)
        {
            case TokenKind.Name:
                Next();
                switch (token.Text)
                {
                    case "true" or "True": return new ConstantExpression(token.Position, true);
                    case "false" or "False": return new ConstantExpression(token.Position, false);
                    case "none" or "None": return new ConstantExpression(token.Position, null);
                }
                if (withNamespace && _current.Kind == TokenKind.Dot)
                {
                    Next();
                    Token attribute = Expect(TokenKind.Name);
                    return new NamespaceReference(token.Position, token.Text, attribute.Text);
                }
                return new NameExpression(token.Position, token.Text);
            case TokenKind.String:
                {
                    Next();
                    string value = token.Text;
                    // Adjacent string literals are joined, as in Python.
                    while (_current.Kind == TokenKind.String)
                        value += Next().Text;
                    return new ConstantExpression(token.Position, value);
                }
            case TokenKind.Integer or TokenKind.Float:
                Next();
                return new ConstantExpression(token.Position, token.Number);
            case TokenKind.LParen:
                {
                    Next();
                    Expression node = ParseTuple(explicitParentheses: true);
                    Expect(TokenKind.RParen);
                    return node;
                }
            case TokenKind.LBracket:
                return ParseList();
            case TokenKind.LBrace:
                return ParseDict();
            default:
                throw Fail($"unexpected {Repr(token.Describe())}", token);
        }
    }

    private Expression ParseTuple(bool simplified = false, bool withCondition = true, string[]? extraEndRules = null,
        bool explicitParentheses = false, bool withNamespace = false)
    {
        SourcePosition position = _current.Position;
        var items = new List<Expression>();
        bool isTuple = false;
        while (true)
        {
            if (items.Count > 0)
                Expect(TokenKind.Comma);
            if (IsTupleEnd(extraEndRules))
                break;
            items.Add(simplified ? ParsePrimary(withNamespace) : ParseExpression(withCondition));
            if (_current.Kind == TokenKind.Comma)
                isTuple = true;
            else
                break;
            position = _current.Position;
        }
        if (!isTuple)
        {
            if (items.Count > 0)
                return items[0];
            if (!explicitParentheses)
                throw Fail($"Expected an expression, got {Repr(_current.Describe())}", _current);
        }
        return new TupleExpression(position, items);
    }

    private bool IsTupleEnd(string[]? extraEndRules)
    {
        if (_current.Kind is TokenKind.VariableEnd or TokenKind.BlockEnd or TokenKind.RParen)
            return true;
        return extraEndRules is not null && _current.Kind == TokenKind.Name && Array.IndexOf(extraEndRules, _current.Text) >= 0;
    }

    private Expression ParseList()
    {
        Token token = Expect(TokenKind.LBracket);
        var items = new List<Expression>();
        while (_current.Kind != TokenKind.RBracket)
        {
            if (items.Count > 0)
                Expect(TokenKind.Comma);
            if (_current.Kind == TokenKind.RBracket)
                break;
            items.Add(ParseExpression());
        }
        Expect(TokenKind.RBracket);
        return new ListExpression(token.Position, items);
    }

    private Expression ParseDict()
    {
        Token token = Expect(TokenKind.LBrace);
        var entries = new List<DictEntry>();
        while (_current.Kind != TokenKind.RBrace)
        {
            if (entries.Count > 0)
                Expect(TokenKind.Comma);
            if (_current.Kind == TokenKind.RBrace)
                break;
            Expression key = ParseExpression();
            Expect(TokenKind.Colon);
            entries.Add(new DictEntry(key, ParseExpression()));
        }
        Expect(TokenKind.RBrace);
        return new DictExpression(token.Position, entries);
    }

    private Expression ParsePostfix(Expression node)
    {
        while (true)
        {
            if (_current.Kind is TokenKind.Dot or TokenKind.LBracket)
                node = ParseSubscript(node);
            else if (_current.Kind == TokenKind.LParen)
                node = ParseCall(node);
            else
                return node;
        }
    }

    private Expression ParseFilterExpression(Expression node)
    {
        while (true)
        {
            if (_current.Kind == TokenKind.Pipe)
                node = ParseFilter(node)!;
            else if (_current.IsName("is"))
                node = ParseTest(node);
            else if (_current.Kind == TokenKind.LParen)
                node = ParseCall(node);
            else
                return node;
        }
    }

    private Expression ParseSubscript(Expression node)
    {
        Token token = Next();
        if (token.Kind == TokenKind.Dot)
        {
            Token attribute = _current;
            Next();
            if (attribute.Kind == TokenKind.Name)
                return new AttributeExpression(token.Position, node, attribute.Text);
            if (attribute.Kind != TokenKind.Integer)
                throw Fail("expected name or number", attribute);
            return new ItemExpression(token.Position, node, new ConstantExpression(attribute.Position, attribute.Number));
        }
        if (token.Kind == TokenKind.LBracket)
        {
            var keys = new List<Expression>();
            while (_current.Kind != TokenKind.RBracket)
            {
                if (keys.Count > 0)
                    Expect(TokenKind.Comma);
                keys.Add(ParseSubscribed());
            }
            Expect(TokenKind.RBracket);
            Expression key = keys.Count == 1 ? keys[0] : new TupleExpression(token.Position, keys);
            return new ItemExpression(token.Position, node, key);
        }
        throw Fail("expected subscript expression", token);
    }

    private Expression ParseSubscribed()
    {
        SourcePosition position = _current.Position;
        Expression? start;
        if (_current.Kind == TokenKind.Colon)
        {
            Next();
            start = null;
        }
        else
        {
            Expression node = ParseExpression();
            if (_current.Kind != TokenKind.Colon)
                return node;
            Next();
            start = node;
        }

        Expression? stop = null, step = null;
        if (_current.Kind != TokenKind.Colon && _current.Kind is not (TokenKind.RBracket or TokenKind.Comma))
            stop = ParseExpression();
        if (_current.Kind == TokenKind.Colon)
        {
            Next();
            if (_current.Kind is not (TokenKind.RBracket or TokenKind.Comma))
                step = ParseExpression();
        }
        return new SliceExpression(position, start, stop, step);
    }

    private CallArguments ParseCallArguments()
    {
        Token token = Expect(TokenKind.LParen);
        var positional = new List<Expression>();
        var keywords = new List<KeywordArgument>();
        Expression? starArgs = null, starKwargs = null;
        bool requireComma = false;

        void Ensure(bool condition)
        {
            if (!condition)
                throw Fail("invalid syntax for function call expression", token);
        }

        while (_current.Kind != TokenKind.RParen)
        {
            if (requireComma)
            {
                Expect(TokenKind.Comma);
                if (_current.Kind == TokenKind.RParen)
                    break;
            }
            if (_current.Kind == TokenKind.Mul)
            {
                Ensure(starArgs is null && starKwargs is null);
                Next();
                starArgs = ParseExpression();
            }
            else if (_current.Kind == TokenKind.Pow)
            {
                Ensure(starKwargs is null);
                Next();
                starKwargs = ParseExpression();
            }
            else if (_current.Kind == TokenKind.Name && Look().Kind == TokenKind.Assign)
            {
                Ensure(starKwargs is null);
                string key = _current.Text;
                Next();
                Next();
                keywords.Add(new KeywordArgument(key, ParseExpression()));
            }
            else
            {
                Ensure(starArgs is null && starKwargs is null && keywords.Count == 0);
                positional.Add(ParseExpression());
            }
            requireComma = true;
        }
        Expect(TokenKind.RParen);
        return new CallArguments(positional, keywords, starArgs, starKwargs);
    }

    private Expression ParseCall(Expression node)
    {
        Token token = _current;
        return new CallExpression(token.Position, node, ParseCallArguments());
    }

    private Expression? ParseFilter(Expression? node, bool startInline = false)
    {
        while (_current.Kind == TokenKind.Pipe || startInline)
        {
            if (!startInline)
                Next();
            Token token = Expect(TokenKind.Name);
            string name = token.Text;
            while (_current.Kind == TokenKind.Dot)
            {
                Next();
                name += "." + Expect(TokenKind.Name).Text;
            }
            CallArguments arguments = _current.Kind == TokenKind.LParen ? ParseCallArguments() : CallArguments.None;
            node = new FilterExpression(token.Position, node, name, arguments);
            startInline = false;
        }
        return node;
    }

    private Expression ParseTest(Expression node)
    {
        Token token = Next();
        bool negated = SkipIfName("not");
        string name = Expect(TokenKind.Name).Text;
        while (_current.Kind == TokenKind.Dot)
        {
            Next();
            name += "." + Expect(TokenKind.Name).Text;
        }
        CallArguments arguments;
        if (_current.Kind == TokenKind.LParen)
        {
            arguments = ParseCallArguments();
        }
        else if (_current.Kind is TokenKind.Name or TokenKind.String or TokenKind.Integer or TokenKind.Float
                     or TokenKind.LParen or TokenKind.LBracket or TokenKind.LBrace
                 && !(_current.IsName("else") || _current.IsName("or") || _current.IsName("and")))
        {
            if (_current.IsName("is"))
                throw Fail("You cannot chain multiple tests with is", _current);
            Expression argument = ParsePostfix(ParsePrimary());
            arguments = new CallArguments([argument], [], null, null);
        }
        else
        {
            arguments = CallArguments.None;
        }
        Expression test = new TestExpression(token.Position, node, name, arguments);
        return negated ? new UnaryExpression(token.Position, UnaryOperator.Not, test) : test;
    }
}
