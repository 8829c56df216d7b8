namespace LlamaGen.Chat.Syntax;

/// <summary>Parameters, defaults (for the last parameters) and which of <c>caller</c>, <c>varargs</c>, <c>kwargs</c> the body reads.</summary>
internal sealed record MacroSignature(IReadOnlyList<string> Parameters, IReadOnlyList<Expression> Defaults, bool UsesCaller, bool UsesVarargs, bool UsesKwargs);
