using LlamaGen.Rag.Retrieval;
using Microsoft.Extensions.AI;

namespace LlamaGen.Rag.Prompting;

/// <summary>The chat messages for one question and the passages they number: <c>[n]</c> is <c>Passages[n - 1]</c>.</summary>
/// <param name="Omitted">Retrieved passages left out because they did not fit in the context.</param>
public sealed record RagPrompt(IReadOnlyList<ChatMessage> Messages, IReadOnlyList<RetrievedPassage> Passages, int Omitted);
