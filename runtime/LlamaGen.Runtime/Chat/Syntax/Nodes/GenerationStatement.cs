namespace LlamaGen.Chat.Syntax;

/// <summary>Hugging Face's <c>{% generation %}body{% endgeneration %}</c>: renders its body (as a caller macro, so a scope of its own).</summary>
internal sealed record GenerationStatement(SourcePosition Position, IReadOnlyList<Statement> Body) : Statement(Position);
