namespace LlamaGen.Chat.Syntax;

/// <summary><c>{% if %}...{% elif %}...{% else %}...{% endif %}</c>.</summary>
internal sealed record IfStatement(SourcePosition Position, IReadOnlyList<ConditionalBranch> Branches, IReadOnlyList<Statement> Else) : Statement(Position);
