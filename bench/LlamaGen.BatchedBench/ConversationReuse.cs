using System.Diagnostics;
using LlamaGen.Catalog;
using LlamaGen.Chat;
using LlamaGen.Hosting;
using LlamaGen.Inference;
using LlamaGen.Sampling;

namespace LlamaGen.BatchedBench;

/// <summary>
/// Turn 10 of a 10-turn conversation, with the KV cache kept from turn 9 (a <see cref="ChatSession"/>) and without it (a
/// fresh session given the same nine turns): the time to the first reply token and to the whole reply, and the prompt
/// tokens each evaluated. The earlier replies are fixed texts, so both sessions hold exactly the same history.
/// </summary>
internal static class ConversationReuse
{
    public sealed record Turn(string Mode, int PromptTokens, int EvaluatedTokens, double FirstTokenSeconds, double TotalSeconds, int ReplyTokens);

    public static (Turn With, Turn Without) Run(string path, int threads, int replyTokens)
    {
        using LocalModel local = LocalModel.Load(path, CompiledModels.All, new LocalModelOptions
        {
            Threads = threads,
            ContextLength = 2048,
            Engine = new InferenceEngineOptions { MaxParallel = 1, BatchCapacity = 128, PromptChunk = 128 },
        });
        var generation = new GenerationOptions { MaxNewTokens = replyTokens, Sampling = SamplerOptions.Greedy };
        var history = new List<ChatMessage> { new("system", "You are a helpful assistant. Answer in two or three sentences.") };
        for (int turn = 1; turn <= 9; turn++)
        {
            history.Add(new ChatMessage("user", $"Question {turn}: what should a beginner know about topic number {turn}, and why does it matter?"));
            history.Add(new ChatMessage("assistant", $" Topic {turn} matters because it is the basis of the next steps. A beginner should learn its terms, try a small example, and ask when stuck."));
        }
        const string last = "Question 10: summarise the advice you gave so far in one sentence.";

        // With reuse: the session has taken part in turns 1-9 (evaluated with no reply, as if its replies were these texts).
        using ChatSession kept = local.CreateChatSession();
        foreach (ChatMessage message in history) kept.Add(message);
        kept.Add(new ChatMessage("user", "(warm-up)"));
        Drain(kept.ReplyAsync(generation with { MaxNewTokens = 0 }));
        kept.TruncateMessages(history.Count);
        Turn with = Measure("with reuse", kept, last, generation);

        using ChatSession fresh = local.CreateChatSession();
        foreach (ChatMessage message in history) fresh.Add(message);
        Turn without = Measure("without reuse", fresh, last, generation);
        return (with, without);
    }

    private static Turn Measure(string mode, ChatSession session, string user, GenerationOptions generation)
    {
        long start = Stopwatch.GetTimestamp();
        double first = 0;
        int tokens = 0;
        foreach (GenerationUpdate update in session.SendAsync(user, generation).ToBlockingEnumerable())
        {
            if (tokens++ == 0) first = Stopwatch.GetElapsedTime(start).TotalSeconds;
        }
        double total = Stopwatch.GetElapsedTime(start).TotalSeconds;
        ChatTurnStatistics stats = session.LastTurn!;
        return new Turn(mode, stats.PromptTokens, stats.EvaluatedPromptTokens, first, total, stats.GeneratedTokens);
    }

    private static void Drain(IAsyncEnumerable<GenerationUpdate> updates)
    {
        foreach (GenerationUpdate _ in updates.ToBlockingEnumerable()) { }
    }
}
