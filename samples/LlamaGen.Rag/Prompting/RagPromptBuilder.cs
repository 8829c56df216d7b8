using System.Text;
using LlamaGen.Rag.Retrieval;
using LlamaGen.Rag.Tokens;
using Microsoft.Extensions.AI;

namespace LlamaGen.Rag.Prompting;

/// <summary>
/// Builds the messages of a cited answer: a system message with the rules, and a user message with the passages
/// numbered [1], [2]... best first, then the question. The chat client renders them through the model's own chat
/// template. Passages are added in rank order while the prompt plus <c>answerTokens</c> fits the context.
/// </summary>
public sealed class RagPromptBuilder(ITokenCounter tokens, int contextTokens, int answerTokens)
{
    public const string SystemPrompt =
        "You answer questions using only the numbered passages you are given. After each statement, cite the passage " +
        "it comes from as [1], [2] and so on. If the passages do not contain the answer, say that you do not know.";

    // What a chat template adds around the messages ([INST], <<SYS>>, role headers): generous for Llama 2's format.
    private const int TemplateAllowance = 48;

    public RagPrompt Build(string question, IReadOnlyList<RetrievedPassage> retrieved)
    {
        string questionPart = $"Question: {question.Trim()}";
        int budget = contextTokens - answerTokens - TemplateAllowance - tokens.CountTokens(SystemPrompt) - tokens.CountTokens(questionPart);
        if (budget <= 0)
            throw new ArgumentException($"the question takes {tokens.CountTokens(questionPart)} tokens: with {answerTokens} for the answer it does not fit the model's {contextTokens}-token context");
        var included = new List<RetrievedPassage>();
        var passagesPart = new StringBuilder();
        foreach (var passage in retrieved)
        {
            string block = FormatPassage(included.Count + 1, passage);
            int cost = tokens.CountTokens(block);
            if (cost > budget) continue; // a smaller, lower-ranked passage may still fit
            budget -= cost;
            included.Add(passage);
            passagesPart.Append(block);
        }
        string user = included.Count == 0
            ? $"There are no passages.\n\n{questionPart}"
            : $"Passages:\n\n{passagesPart}{questionPart}";
        return new RagPrompt([new ChatMessage(ChatRole.System, SystemPrompt), new ChatMessage(ChatRole.User, user)], included, retrieved.Count - included.Count);
    }

    private static string FormatPassage(int number, RetrievedPassage passage) =>
        $"[{number}] {passage.Passage.Title} ({passage.Passage.File})\n{passage.Passage.Text.Trim()}\n\n";
}
