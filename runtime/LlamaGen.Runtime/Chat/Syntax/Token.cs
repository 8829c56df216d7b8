namespace LlamaGen.Chat.Syntax;

/// <summary>
/// One token: its kind, its text (a name, the decoded characters of a string literal, template data, an operator),
/// the value of a number literal (<see cref="long"/>, <see cref="System.Numerics.BigInteger"/> or <see cref="double"/>),
/// and where it starts in the template.
/// </summary>
internal readonly record struct Token(TokenKind Kind, string Text, object? Number, SourcePosition Position)
{
    public bool IsName(string name) => Kind == TokenKind.Name && Text == name;

    /// <summary>How jinja2 names a token in its error messages (<c>describe_token</c>).</summary>
    public string Describe() => Kind == TokenKind.Name ? Text : DescribeKind(Kind);

    public static string DescribeKind(TokenKind kind) => kind switch
    {
        TokenKind.Data => "template data / text",
        TokenKind.VariableBegin => "begin of print statement",
        TokenKind.VariableEnd => "end of print statement",
        TokenKind.BlockBegin => "begin of statement block",
        TokenKind.BlockEnd => "end of statement block",
        TokenKind.Eof => "end of template",
        TokenKind.Name => "name",
        TokenKind.String => "string",
        TokenKind.Integer => "integer",
        TokenKind.Float => "float",
        _ => OperatorText(kind),
    };

    public static string OperatorText(TokenKind kind) => kind switch
    {
        TokenKind.Add => "+",
        TokenKind.Sub => "-",
        TokenKind.Div => "/",
        TokenKind.FloorDiv => "//",
        TokenKind.Mul => "*",
        TokenKind.Mod => "%",
        TokenKind.Pow => "**",
        TokenKind.Tilde => "~",
        TokenKind.LBracket => "[",
        TokenKind.RBracket => "]",
        TokenKind.LParen => "(",
        TokenKind.RParen => ")",
        TokenKind.LBrace => "{",
        TokenKind.RBrace => "}",
        TokenKind.Eq => "==",
        TokenKind.Ne => "!=",
        TokenKind.Gt => ">",
        TokenKind.GtEq => ">=",
        TokenKind.Lt => "<",
        TokenKind.LtEq => "<=",
        TokenKind.Assign => "=",
        TokenKind.Dot => ".",
        TokenKind.Colon => ":",
        TokenKind.Pipe => "|",
        TokenKind.Comma => ",",
        TokenKind.Semicolon => ";",
        _ => kind.ToString().ToLowerInvariant(),
    };
}
