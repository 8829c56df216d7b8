namespace LlamaGen.Chat.Syntax;

/// <summary>Template data and <c>{{ expressions }}</c>, written in order.</summary>
internal sealed record OutputStatement(SourcePosition Position, IReadOnlyList<Expression> Parts) : Statement(Position);
