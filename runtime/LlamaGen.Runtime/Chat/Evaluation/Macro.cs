using LlamaGen.Chat.Syntax;

namespace LlamaGen.Chat.Evaluation;

/// <summary>A macro, or the <c>caller</c> of a call block: its signature and body, closed over the scope it was defined in.</summary>
internal sealed class Macro(string? name, MacroSignature signature, IReadOnlyList<Statement> body, Scope definingScope, SourcePosition position)
{
    /// <summary>The macro's name; <c>caller</c> for a call block's body; null for an anonymous one.</summary>
    public string? Name { get; } = name;

    public MacroSignature Signature { get; } = signature;

    public IReadOnlyList<Statement> Body { get; } = body;

    public Scope DefiningScope { get; } = definingScope;

    public SourcePosition Position { get; } = position;
}
