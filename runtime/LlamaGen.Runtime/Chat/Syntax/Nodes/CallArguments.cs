namespace LlamaGen.Chat.Syntax;

/// <summary>The arguments of a call, filter or test: positional, keyword, <c>*args</c> and <c>**kwargs</c>.</summary>
internal sealed record CallArguments(IReadOnlyList<Expression> Positional, IReadOnlyList<KeywordArgument> Keywords, Expression? StarArgs, Expression? StarKwargs)
{
    public static readonly CallArguments None = new([], [], null, null);
}
