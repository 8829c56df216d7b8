using LlamaGen.Rag.Retrieval;

namespace LlamaGen.Rag.Asking;

/// <summary>The outcome of one question.</summary>
/// <param name="Passages">The passages numbered in the prompt, best first (all retrieved ones without generation).</param>
/// <param name="Answer">The model's answer; null when generation was off.</param>
/// <param name="Citations">1-based numbers of <paramref name="Passages"/> the answer cites, in order of first citation.</param>
/// <param name="InvalidCitations">Numbers the answer cites that name no passage it was given.</param>
/// <param name="OmittedPassages">Retrieved passages that did not fit the model's context.</param>
/// <param name="TimeToFirstToken">From the start of retrieval to the first answer text; null without generation.</param>
public sealed record AskResult(
    string Question,
    IReadOnlyList<RetrievedPassage> Passages,
    string? Answer,
    IReadOnlyList<int> Citations,
    IReadOnlyList<int> InvalidCitations,
    int OmittedPassages,
    TimeSpan RetrievalTime,
    TimeSpan? TimeToFirstToken);
