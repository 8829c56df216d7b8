using System.Diagnostics;
using System.Text;
using LlamaGen.Rag.Prompting;
using LlamaGen.Rag.Retrieval;
using Microsoft.Extensions.AI;

namespace LlamaGen.Rag.Asking;

/// <summary>Retrieve, build the numbered prompt, stream the answer, read its citations.</summary>
public sealed class AskWorkflow(PassageRetriever retriever, IChatClient chat, RagPromptBuilder prompts)
{
    /// <param name="onAnswerText">Receives the answer as it streams (each piece once, in order).</param>
    public async Task<AskResult> AskAsync(string question, AskOptions options, Action<string>? onAnswerText = null, CancellationToken cancellationToken = default)
    {
        options.Validate();
        if (string.IsNullOrWhiteSpace(question)) throw new RagInputException("the question is empty");
        var clock = Stopwatch.StartNew();
        var retrieved = await retriever.RetrieveAsync(question, options.TopK, options.Mode, cancellationToken);
        var retrievalTime = clock.Elapsed;
        if (!options.Generate)
            return new AskResult(question, retrieved, null, [], [], 0, retrievalTime, null);

        var prompt = prompts.Build(question, retrieved);
        var answer = new StringBuilder();
        TimeSpan? firstToken = null;
        var chatOptions = new ChatOptions { MaxOutputTokens = options.MaxAnswerTokens, Temperature = 0 };
        await foreach (var update in chat.GetStreamingResponseAsync(prompt.Messages, chatOptions, cancellationToken))
        {
            string text = update.Text;
            if (text.Length == 0) continue;
            firstToken ??= clock.Elapsed;
            answer.Append(text);
            onAnswerText?.Invoke(text);
        }
        var invalid = new List<int>();
        var citations = CitationParser.Parse(answer.ToString(), prompt.Passages.Count, invalid);
        return new AskResult(question, prompt.Passages, answer.ToString(), citations, invalid, prompt.Omitted, retrievalTime, firstToken);
    }
}
