using LlamaGen.Rag.Retrieval;

namespace LlamaGen.Rag.Asking;

/// <summary>How a question is answered.</summary>
/// <param name="TopK">Passages to retrieve (all of them go into the prompt if they fit the context).</param>
/// <param name="Generate">False: retrieve only, no answer.</param>
/// <param name="MaxAnswerTokens">Upper bound on the answer; also reserved out of the context when fitting passages.</param>
public sealed record AskOptions(int TopK = 5, RetrievalMode Mode = RetrievalMode.Hybrid, bool Generate = true, int MaxAnswerTokens = AskOptions.DefaultMaxAnswerTokens)
{
    public const int DefaultMaxAnswerTokens = 256;

    public void Validate()
    {
        if (TopK is < 1 or > 100) throw new ArgumentOutOfRangeException(nameof(TopK), TopK, "--top-k must be between 1 and 100");
        if (MaxAnswerTokens < 1) throw new ArgumentOutOfRangeException(nameof(MaxAnswerTokens), MaxAnswerTokens, "--max-tokens must be at least 1");
    }
}
