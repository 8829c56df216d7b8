using System.Diagnostics;
using LlamaGen.Hosting;
using LlamaGen.Inference;
using LlamaGen.Sampling;
using Microsoft.Extensions.AI;
using LlamaChatMessage = LlamaGen.Chat.ChatMessage;

namespace LlamaGen.AI.Tests;

/// <summary>
/// <see cref="LlamaChatClient"/> as any <see cref="IChatClient"/> caller uses it: the reply (streamed or not) is the greedy
/// reply of the rendered prompt decoded alone; the options map to the sampler; the last update carries the finish reason
/// and usage; cancellation stops within a token; conversations keep their cache; eight conversations at once from eight
/// threads each get their tokens alone; what the engine cannot honour is refused by name.
/// </summary>
public sealed class ChatClientTests
{
    private static ChatOptions Greedy(int max = 16) => new() { Temperature = 0, MaxOutputTokens = max };

    private static string Expected(LocalModel local, int max, params LlamaChatMessage[] messages) =>
        local.Tokenizer.Decode(ChatModels.GreedyAlone(local, ChatModels.PromptIds(local, messages), max));

    [Fact]
    public async Task AResponseIsTheGreedyReplyWithItsFinishReasonAndUsage()
    {
        using LocalModel local = ChatModels.Load();
        using LlamaChatClient client = local.CreateChatClient();
        ChatMessage[] messages = [new(ChatRole.System, "Be brief."), new(ChatRole.User, "What is a cat?")];

        ChatResponse response = await client.GetResponseAsync(messages, Greedy(10));
        int[] prompt = ChatModels.PromptIds(local, new LlamaChatMessage("system", "Be brief."), new LlamaChatMessage("user", "What is a cat?"));
        int[] reply = ChatModels.GreedyAlone(local, prompt, 10);
        Assert.Equal(local.Tokenizer.Decode(reply), response.Text);
        Assert.Equal(reply.Length == 10 ? ChatFinishReason.Length : ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal(prompt.Length, response.Usage!.InputTokenCount);
        Assert.Equal(reply.Length, response.Usage.OutputTokenCount);
        Assert.Equal(prompt.Length + reply.Length, response.Usage.TotalTokenCount);
        Assert.Equal(client.ModelId, response.ModelId);
        Assert.Single(response.Messages);
        Assert.Equal(ChatRole.Assistant, response.Messages[0].Role);

        // Streaming: the same text in pieces, one id, the finish reason and usage on the last update.
        var updates = new List<ChatResponseUpdate>();
        await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync(messages, Greedy(10))) updates.Add(update);
        Assert.True(updates.Count > 2);
        Assert.Equal(response.Text, string.Concat(updates.Select(u => u.Text)));
        Assert.Single(updates.Select(u => u.ResponseId).Distinct());
        Assert.All(updates.SkipLast(1), u => Assert.Null(u.FinishReason));
        Assert.Equal(response.FinishReason, updates[^1].FinishReason);
        UsageContent usage = Assert.Single(updates[^1].Contents.OfType<UsageContent>());
        Assert.Equal(prompt.Length, usage.Details.InputTokenCount);
        // The second identical call reuses the slot's cache: all but the last prompt token.
        Assert.Equal(prompt.Length - 1, usage.Details.CachedInputTokenCount);
    }

    [Fact]
    public async Task TheOptionsReachTheSampler()
    {
        using LocalModel local = ChatModels.Load();
        using LlamaChatClient client = local.CreateChatClient();
        ChatMessage[] messages = [new(ChatRole.User, "Write a list of fruits.")];
        int[] prompt = ChatModels.PromptIds(local, new LlamaChatMessage("user", "Write a list of fruits."));

        // Stop sequences: the text ends before the first occurrence and the finish reason is stop.
        string full = local.Tokenizer.Decode(ChatModels.GreedyAlone(local, prompt, 30));
        string stop = full.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries) is { Length: > 3 } words ? words[3] : full.Trim()[^2..];
        ChatResponse stopped = await client.GetResponseAsync(messages, new ChatOptions { Temperature = 0, MaxOutputTokens = 30, StopSequences = [stop] });
        Assert.Equal(full[..full.IndexOf(stop, StringComparison.Ordinal)], stopped.Text);
        Assert.Equal(ChatFinishReason.Stop, stopped.FinishReason);

        // Seeded sampling is reproducible and is the sampler's own draw with the same settings.
        var options = new ChatOptions { Temperature = 0.9f, TopP = 0.9f, TopK = 50, Seed = 42, MaxOutputTokens = 20, FrequencyPenalty = 0.5f, PresencePenalty = 0.3f };
        ChatResponse a = await client.GetResponseAsync(messages, options);
        ChatResponse b = await client.GetResponseAsync(messages, options);
        Assert.Equal(a.Text, b.Text);
        var sampling = new SamplerOptions { Temperature = 0.9f, TopP = 0.9f, TopK = 50, MinP = 0.05f, Seed = 42, FrequencyPenalty = 0.5f, PresencePenalty = 0.3f };
        Assert.Equal(Sampled(local, prompt, sampling, 20), a.Text);
        // The penalties change the draw (here, with a fixed seed and the same filters).
        ChatResponse unpenalized = await client.GetResponseAsync(messages, new ChatOptions { Temperature = 0.9f, TopP = 0.9f, TopK = 50, Seed = 42, MaxOutputTokens = 20 });
        Assert.Equal(Sampled(local, prompt, sampling with { FrequencyPenalty = 0, PresencePenalty = 0 }, 20), unpenalized.Text);

        // llama.cpp's extra sampler settings by their server names.
        var extra = new ChatOptions { Temperature = 0.9f, Seed = 7, MaxOutputTokens = 8, AdditionalProperties = new() { ["min_p"] = 0.2, ["repeat_penalty"] = 1.3, ["repeat_last_n"] = 16 } };
        ChatResponse tuned = await client.GetResponseAsync(messages, extra);
        Assert.Equal(Sampled(local, prompt, new SamplerOptions { Temperature = 0.9f, TopK = 40, TopP = 0.95f, MinP = 0.2f, RepetitionPenalty = 1.3f, RepetitionWindow = 16, Seed = 7 }, 8), tuned.Text);
    }

    /// <summary>The sampler's draws along the model's own path, decoding alone (the reference for sampled replies).</summary>
    private static string Sampled(LocalModel local, int[] prompt, SamplerOptions sampling, int max)
    {
        using var generator = new TextGenerator(local.Model, local.Tokenizer);
        var state = new GenerationState(local.Tokenizer, prompt, new GenerationOptions { MaxNewTokens = max, Sampling = sampling }, generator.Sequence.Capacity);
        var logits = new float[local.Model.Shape.VocabSize];
        generator.Decoder.ForwardPrompt(prompt, 0, logits);
        var text = new System.Text.StringBuilder();
        while (true)
        {
            GeneratedToken token = state.Next(logits);
            text.Append(token.Text);
            if (state.StopReason is not null) return text.ToString();
            generator.Decoder.Forward(token.Id, token.Position, logits);
        }
    }

    [Fact]
    public async Task CancellationStopsTheReplyWithinAToken()
    {
        using LocalModel local = ChatModels.Load();
        using LlamaChatClient client = local.CreateChatClient();
        using var cancellation = new CancellationTokenSource();
        int updates = 0;
        long atCancel = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (ChatResponseUpdate _ in client.GetStreamingResponseAsync([new(ChatRole.User, "Talk forever.")], Greedy(5000), cancellation.Token))
            {
                if (++updates == 4)
                {
                    // Cancel first, then count: a step that starts between the count and the cancel is not the
                    // engine's fault, and reading in the other order made this test flaky (2 tokens in one CI run).
                    cancellation.Cancel();
                    atCancel = local.Engine.Statistics.GeneratedTokens;
                }
            }
        });
        var clock = Stopwatch.StartNew();
        while (local.Engine.Statistics.Processing > 0 && clock.Elapsed < TimeSpan.FromSeconds(5)) await Task.Delay(2);
        Assert.Equal(0, local.Engine.Statistics.Processing);
        // The engine checks for cancellation before every step: at most the step running at the cancel finishes.
        long after = local.Engine.Statistics.GeneratedTokens - atCancel;
        Assert.InRange(after, 0, 1);
        Assert.True(local.Engine.Statistics.GeneratedTokens < 5000);
    }

    [Fact]
    public async Task AConversationIdKeepsTheConversationAndItsCache()
    {
        using LocalModel local = ChatModels.Load();
        using LlamaChatClient client = local.CreateChatClient(new LlamaChatClientOptions { StoreConversations = true });
        ChatResponse first = await client.GetResponseAsync([new(ChatRole.System, "Be nice."), new(ChatRole.User, "Hi there.")], Greedy(8));
        Assert.NotNull(first.ConversationId);

        // Only the new message is sent; the reply is the one the whole history gets.
        ChatResponse second = await client.GetResponseAsync([new(ChatRole.User, "And then?")], new ChatOptions { Temperature = 0, MaxOutputTokens = 8, ConversationId = first.ConversationId });
        Assert.Equal(first.ConversationId, second.ConversationId);
        LlamaChatMessage[] history =
        [
            new("system", "Be nice."), new("user", "Hi there."), new("assistant", first.Text), new("user", "And then?"),
        ];
        Assert.Equal(Expected(local, 8, history), second.Text);
        int[] prompt = ChatModels.PromptIds(local, history);
        Assert.Equal(prompt.Length, second.Usage!.InputTokenCount);
        Assert.True(second.Usage.CachedInputTokenCount > prompt.Length / 2, $"{second.Usage.CachedInputTokenCount} of {prompt.Length} cached");
        Assert.Equal(4 + 1, client.GetConversation(first.ConversationId!)!.Messages.Count);

        var unknown = await Assert.ThrowsAsync<ArgumentException>(() => client.GetResponseAsync([new(ChatRole.User, "x")], new ChatOptions { ConversationId = "nope" }));
        Assert.Contains("ConversationId 'nope'", unknown.Message);
    }

    [Fact]
    public async Task EightConversationsAtOnceFromEightThreadsEachGetTheirTokensAlone()
    {
        using LocalModel local = ChatModels.Load(parallel: 8);
        using LlamaChatClient client = local.CreateChatClient(new LlamaChatClientOptions { StoreConversations = true });
        async Task<(string[] Replies, LlamaChatMessage[] History)> Converse(int n)
        {
            var history = new List<LlamaChatMessage> { new("system", $"You are assistant number {n}.") };
            var replies = new List<string>();
            string? id = null;
            for (int turn = 0; turn < 3; turn++)
            {
                string user = $"Conversation {n}, turn {turn}: {new string('?', n + turn)}";
                history.Add(new("user", user));
                ChatMessage[] send = id is null ? [new(ChatRole.System, history[0].Content), new(ChatRole.User, user)] : [new(ChatRole.User, user)];
                ChatResponse response = await client.GetResponseAsync(send, new ChatOptions { Temperature = 0, MaxOutputTokens = 10, ConversationId = id });
                id = response.ConversationId;
                replies.Add(response.Text);
                history.Add(new("assistant", response.Text));
            }
            return ([.. replies], [.. history]);
        }
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(n => Task.Run(() => Converse(n))));
        foreach (var (replies, history) in results)
        {
            for (int turn = 0; turn < 3; turn++)
            {
                LlamaChatMessage[] before = history[..(2 + turn * 2)];
                Assert.Equal(Expected(local, 10, before), replies[turn]);
            }
        }
    }

    [Fact]
    public async Task WhatTheEngineCannotHonourIsRefusedByName()
    {
        using LocalModel local = ChatModels.Load();
        using LlamaChatClient client = local.CreateChatClient();
        ChatMessage[] messages = [new(ChatRole.User, "Hi")];
        async Task<Exception> Refused(ChatOptions options) => await Assert.ThrowsAnyAsync<Exception>(() => client.GetResponseAsync(messages, options));

        var tools = await Refused(new ChatOptions { Tools = [AIFunctionFactory.Create(() => 42, "answer")] });
        Assert.IsType<NotSupportedException>(tools);
        Assert.Contains("ChatOptions.Tools", tools.Message);
        var json = await Refused(new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(System.Text.Json.JsonDocument.Parse("{\"type\":\"object\"}").RootElement, "Thing") });
        Assert.IsType<NotSupportedException>(json);
        Assert.Contains("ResponseFormat", json.Message);
        Assert.Contains("ResponseFormat", (await Refused(new ChatOptions { ResponseFormat = ChatResponseFormat.Json })).Message);
        Assert.Contains("top_k_typo", (await Refused(new ChatOptions { AdditionalProperties = new() { ["top_k_typo"] = 3 } })).Message);
        Assert.Contains("ModelId", (await Refused(new ChatOptions { ModelId = "gpt-4o" })).Message);
        Assert.Contains("TopP", (await Refused(new ChatOptions { TopP = 2 })).Message);
        Assert.Contains("MaxOutputTokens", (await Refused(new ChatOptions { MaxOutputTokens = 0 })).Message);

        var image = await Assert.ThrowsAsync<NotSupportedException>(() => client.GetResponseAsync([new(ChatRole.User, [new DataContent(new byte[] { 1, 2, 3 }, "image/png")])]));
        Assert.Contains("DataContent", image.Message);
        var role = await Assert.ThrowsAsync<ArgumentException>(() => client.GetResponseAsync([new(new ChatRole("narrator"), "Once")]));
        Assert.Contains("unknown role 'narrator'", role.Message);
        var order = await Assert.ThrowsAsync<Chat.ChatTemplateException>(() => client.GetResponseAsync([new(ChatRole.User, "a"), new(ChatRole.User, "b")]));
        Assert.Contains("alternate", order.Message);
        var tooLong = await Assert.ThrowsAsync<ContextLengthException>(() => client.GetResponseAsync([new(ChatRole.User, string.Join(' ', Enumerable.Repeat("word", 600)))]));
        Assert.Contains("512 positions", tooLong.Message);
    }

    [Fact]
    public void TheMetadataNamesTheProviderAndTheModel()
    {
        using LocalModel local = ChatModels.Load();
        using LlamaChatClient client = local.CreateChatClient(new LlamaChatClientOptions { ModelId = "tiny-chat" });
        var metadata = client.GetService<ChatClientMetadata>()!;
        Assert.Equal("LlamaGen", metadata.ProviderName);
        Assert.Equal("tiny-chat", metadata.DefaultModelId);
        Assert.Same(local.Engine, client.GetService<InferenceEngine>());
        using LlamaChatClient unnamed = local.CreateChatClient();
        Assert.Equal(local.Model.Shape.Name, unnamed.GetService<ChatClientMetadata>()!.DefaultModelId);
    }
}
