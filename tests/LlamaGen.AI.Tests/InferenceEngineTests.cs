using System.Diagnostics;
using System.Numerics.Tensors;
using LlamaGen.Chat;
using LlamaGen.Hosting;
using LlamaGen.Inference;
using LlamaGen.Sampling;
using LlamaGen.Sequences;

namespace LlamaGen.AI.Tests;

/// <summary>
/// The continuous-batching engine on the chat model: requests decoded together get exactly the tokens each gets decoding
/// alone; idle slots reuse their cached prefix; cancellation frees a request's slot within a step; a full queue refuses at
/// once; embeddings pool what one sequence decoded alone leaves; bad requests fail clearly without stopping the engine.
/// </summary>
public sealed class InferenceEngineTests
{
    private static readonly GenerationOptions Greedy = new() { MaxNewTokens = 24, Sampling = SamplerOptions.Greedy };

    private static int[] Ids(IEnumerable<GenerationUpdate> updates) =>
        [.. updates.Where(u => !u.Token.IsEndOfSequence && u.Token.Id >= 0).Select(u => u.Token.Id)];

    private static async Task<List<GenerationUpdate>> Collect(IAsyncEnumerable<GenerationUpdate> updates)
    {
        var list = new List<GenerationUpdate>();
        await foreach (GenerationUpdate update in updates) list.Add(update);
        return list;
    }

    private static int[][] Prompts(LocalModel local, int count) =>
        [.. Enumerable.Range(0, count).Select(i => ChatModels.PromptIds(local,
            new ChatMessage("system", i % 2 == 0 ? "Answer briefly." : "You are a pirate."),
            new ChatMessage("user", $"Question number {i}: what is {i} times {i + 3}? Say it {new string('!', i)}")))];

    [Fact]
    public async Task SixteenRequestsTogetherGetTheTokensEachGetsAlone()
    {
        using LocalModel local = ChatModels.Load(parallel: 16);
        int[][] prompts = Prompts(local, 16);
        int[][] alone = [.. prompts.Select(p => ChatModels.GreedyAlone(local, p, Greedy.MaxNewTokens))];

        // All at once from many threads: prompt chunks and single decode tokens share steps.
        Task<List<GenerationUpdate>>[] runs = [.. prompts.Select(p => Task.Run(() => Collect(local.Engine.GenerateAsync(new GenerationRequest(p, Greedy)))))];
        List<GenerationUpdate>[] results = await Task.WhenAll(runs);
        for (int i = 0; i < prompts.Length; i++)
        {
            Assert.Equal(alone[i], Ids(results[i]));
            GenerationUpdate last = results[i][^1];
            Assert.True(last.IsLast);
            Assert.Equal(prompts[i].Length, last.PromptTokens);
            Assert.Equal(alone[i].Length, last.GeneratedTokens);
        }
        EngineStatistics statistics = local.Engine.Statistics;
        // Batching happened: fewer steps than the requests' tokens one by one would need.
        long tokens = prompts.Sum(p => (long)p.Length) + alone.Sum(a => (long)a.Length);
        Assert.True(statistics.Steps < tokens / 4, $"{statistics.Steps} steps for {tokens} tokens");
        Assert.Equal(16, statistics.Finished);
    }

    [Fact]
    public async Task AnIdleSlotReusesTheLongestCachedPrefix()
    {
        using LocalModel local = ChatModels.Load(parallel: 2);
        int[] first = ChatModels.PromptIds(local, new ChatMessage("user", "Tell me about the sea."));
        List<GenerationUpdate> one = await Collect(local.Engine.GenerateAsync(new GenerationRequest(first, Greedy)));
        int[] reply = Ids(one);

        // The same conversation one turn later: everything the slot holds (prompt and fed reply tokens) is reused.
        int[] second = [.. first, .. reply, .. local.Tokenizer.Encode(" And the mountains?", addBos: false)];
        long decodedBefore = local.Engine.Statistics.TokensDecoded;
        List<GenerationUpdate> two = await Collect(local.Engine.GenerateAsync(new GenerationRequest(second, Greedy with { MaxNewTokens = 1 })));
        long decoded = local.Engine.Statistics.TokensDecoded - decodedBefore;
        GenerationUpdate last = two[^1];
        // The last reply token was sampled but never fed, so the slot holds the prompt and all reply tokens but the last.
        int held = first.Length + reply.Length - (one[^1].StopReason == StopReason.MaxTokens ? 1 : 0);
        Assert.Equal(held, last.CachedPromptTokens);
        Assert.Equal(second.Length - held, decoded);
        Assert.Equal(ChatModels.GreedyAlone(local, second, 1), Ids(two));
    }

    [Fact]
    public async Task CancellingARequestFreesItsSlotWithinAStep()
    {
        using LocalModel local = ChatModels.Load(parallel: 2);
        int[] prompt = ChatModels.PromptIds(local, new ChatMessage("user", "Count to a thousand."));
        using var cancellation = new CancellationTokenSource();
        int received = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (GenerationUpdate _ in local.Engine.GenerateAsync(new GenerationRequest(prompt, Greedy with { MaxNewTokens = 400 }), cancellation.Token))
            {
                if (++received == 3) cancellation.Cancel();
            }
        });
        var clock = Stopwatch.StartNew();
        while (local.Engine.Statistics.Processing > 0 && clock.Elapsed < TimeSpan.FromSeconds(5)) await Task.Delay(5);
        Assert.Equal(0, local.Engine.Statistics.Processing);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"the slot was freed after {clock.Elapsed.TotalMilliseconds:F0} ms");
        Assert.True(local.Engine.Statistics.GeneratedTokens < 400);

        // Stopping the enumeration early cancels too.
        await foreach (GenerationUpdate _ in local.Engine.GenerateAsync(new GenerationRequest(prompt, Greedy with { MaxNewTokens = 400 })))
            break;
        clock.Restart();
        while (local.Engine.Statistics.Processing > 0 && clock.Elapsed < TimeSpan.FromSeconds(5)) await Task.Delay(5);
        Assert.Equal(0, local.Engine.Statistics.Processing);
    }

    [Fact]
    public async Task AFullQueueRefusesAtOnceAndTheAcceptedRequestsFinish()
    {
        using LocalModel local = LocalModel.Load(ChatModels.ChatGguf, TestModels.TestModelCatalog.All, new LocalModelOptions
        {
            Threads = 1,
            ContextLength = 256,
            Engine = new InferenceEngineOptions { MaxParallel = 2, MaxQueue = 2, BatchCapacity = 16 },
        });
        int[] prompt = ChatModels.PromptIds(local, new ChatMessage("user", "Hello"));
        // Two requests that never end by themselves (the context shifts forever) hold both slots.
        using var stopBlockers = new CancellationTokenSource();
        EngineJob[] blockers = [.. Enumerable.Range(0, 2).Select(_ =>
            local.Engine.Start(new GenerationRequest(prompt, Greedy with { MaxNewTokens = int.MaxValue }) { ContextShiftKeep = 1 }, stopBlockers.Token))];
        var clock = Stopwatch.StartNew();
        while (local.Engine.Statistics.Processing < 2 && clock.Elapsed < TimeSpan.FromSeconds(10)) await Task.Delay(1);
        Assert.Equal(2, local.Engine.Statistics.Processing);

        var accepted = new List<EngineJob>();
        int refused = 0;
        clock.Restart();
        for (int i = 0; i < 10; i++)
        {
            try
            {
                accepted.Add(local.Engine.Start(new GenerationRequest(prompt, Greedy with { MaxNewTokens = 20 })));
            }
            catch (EngineOverloadedException e)
            {
                Assert.Contains("queue holds 2", e.Message);
                refused++;
            }
        }
        // Refused at once, never after a wait.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1));
        Assert.Equal(2, accepted.Count);
        Assert.Equal(8, refused);
        Assert.Equal(2, local.Engine.Statistics.Queued);
        Assert.Equal(8, local.Engine.Statistics.Rejected);

        // The blockers stop; the queued requests then run to their end.
        stopBlockers.Cancel();
        foreach (EngineJob job in blockers) await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Collect(job.ReadAllAsync()));
        foreach (EngineJob job in accepted)
            Assert.Equal(ChatModels.GreedyAlone(local, prompt, 20), Ids(await Collect(job.ReadAllAsync())));
    }

    [Fact]
    public async Task ABurstBeforeTheLoopAdmitsAnythingStillFillsOnlySlotsPlusQueue()
    {
        using LocalModel local = LocalModel.Load(ChatModels.ChatGguf, TestModels.TestModelCatalog.All, new LocalModelOptions
        {
            Threads = 1,
            ContextLength = 256,
            Engine = new InferenceEngineOptions { MaxParallel = 2, MaxQueue = 2, BatchCapacity = 16 },
        });
        int[] prompt = ChatModels.PromptIds(local, new ChatMessage("user", "Hello"));
        // Requests that never end by themselves, started back to back: however many the loop has admitted meanwhile,
        // slots and queue together hold four (an HTTP server's burst of requests once overfilled the queue).
        using var stop = new CancellationTokenSource();
        var accepted = new List<EngineJob>();
        int refused = 0;
        for (int i = 0; i < 10; i++)
        {
            try
            {
                accepted.Add(local.Engine.Start(new GenerationRequest(prompt, Greedy with { MaxNewTokens = int.MaxValue }) { ContextShiftKeep = 1 }, stop.Token));
            }
            catch (EngineOverloadedException)
            {
                refused++;
            }
        }
        Assert.Equal(4, accepted.Count);
        Assert.Equal(6, refused);
        stop.Cancel();
        foreach (EngineJob job in accepted) await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Collect(job.ReadAllAsync()));
    }

    [Fact]
    public async Task EmbeddingsPoolTheHiddenStatesOfEachInputDecodedAlone()
    {
        using LocalModel local = ChatModels.Load(parallel: 4);
        int[][] inputs = [.. new[] { "The cat sat.", "A much longer sentence about dogs and their owners.", "x" }.Select(t => local.Tokenizer.Encode(t, addBos: true))];
        foreach (EmbeddingPooling pooling in Enum.GetValues<EmbeddingPooling>())
        {
            float[][] raw = await local.Engine.EmbedAsync(inputs, pooling, normalize: false);
            float[][] normalized = await local.Engine.EmbedAsync(inputs, pooling, normalize: true);
            for (int i = 0; i < inputs.Length; i++)
            {
                float[] expected = PooledAlone(local, inputs[i], pooling);
                for (int d = 0; d < expected.Length; d++) Assert.Equal(expected[d], raw[i][d], 1e-5f);
                Assert.Equal(1f, TensorPrimitives.Norm(normalized[i]), 1e-5f);
                Assert.True(TensorPrimitives.CosineSimilarity(expected, normalized[i]) > 0.99999f);
            }
        }
    }

    /// <summary>One sequence alone, each token's final hidden state read from a batch of its own, pooled here.</summary>
    private static float[] PooledAlone(LocalModel local, int[] tokens, EmbeddingPooling pooling)
    {
        using Sequence sequence = local.Model.CreateSequence(new SequenceOptions { ContextLength = tokens.Length });
        using var batch = new DecodeBatch(local.Model, 1);
        var sum = new float[local.Model.Shape.EmbeddingLength];
        for (int i = 0; i < tokens.Length; i++)
        {
            batch.Clear();
            int row = batch.Add(sequence, tokens[i], BatchOutput.Embedding);
            batch.Decode();
            ReadOnlySpan<float> hidden = batch.Embedding(row);
            if (pooling == EmbeddingPooling.Mean) TensorPrimitives.Add(sum, hidden, sum);
            else if (pooling == EmbeddingPooling.Last || i == 0) hidden.CopyTo(sum);
        }
        if (pooling == EmbeddingPooling.Mean) TensorPrimitives.Divide(sum, tokens.Length, sum);
        return sum;
    }

    [Fact]
    public async Task AReplyThatFillsTheContextShiftsItWhenAskedAndStopsOtherwise()
    {
        using LocalModel local = ChatModels.Load(parallel: 1, contextLength: 64);
        int[] prompt = ChatModels.PromptIds(local, new ChatMessage("user", "Write a long story."));
        var options = Greedy with { MaxNewTokens = 120 };

        List<GenerationUpdate> stopped = await Collect(local.Engine.GenerateAsync(new GenerationRequest(prompt, options)));
        Assert.Equal(StopReason.ContextFull, stopped[^1].StopReason);
        Assert.Equal(64 - prompt.Length + 1, stopped[^1].GeneratedTokens);

        List<GenerationUpdate> shifted = await Collect(local.Engine.GenerateAsync(new GenerationRequest(prompt, options) { ContextShiftKeep = 4 }));
        GenerationUpdate last = shifted[^1];
        Assert.Equal(StopReason.MaxTokens, last.StopReason);
        Assert.Equal(120, last.GeneratedTokens);
        Assert.True(last.ContextShifts >= 2, $"{last.ContextShifts} shifts");
        // Up to the first shift the reply is what it is without one.
        int[] before = Ids(stopped);
        Assert.Equal(before, Ids(shifted).Take(before.Length));
    }

    [Fact]
    public async Task BadRequestsFailClearlyAndTheEngineGoesOn()
    {
        using LocalModel local = ChatModels.Load(parallel: 2, contextLength: 32);
        var tooLong = Enumerable.Repeat(100, 40).ToArray();
        var error = Assert.Throws<ContextLengthException>(() => local.Engine.Start(new GenerationRequest(tooLong, Greedy)));
        Assert.Contains("40 tokens", error.Message);
        Assert.Contains("32 positions", error.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => local.Engine.Start(new GenerationRequest([1, 32000], Greedy)));
        Assert.Throws<ArgumentException>(() => local.Engine.Start(new GenerationRequest([], Greedy)));
        await Assert.ThrowsAsync<ContextLengthException>(() => local.Engine.EmbedAsync([tooLong]));

        using Sequence mine = local.Model.CreateSequence(new SequenceOptions { ContextLength = 32 });
        EngineJob first = local.Engine.Start(new GenerationRequest([1, 100, 200], Greedy) { Sequence = mine });
        Assert.Throws<InvalidOperationException>(() => local.Engine.Start(new GenerationRequest([1, 100], Greedy) { Sequence = mine }));
        await Collect(first.ReadAllAsync());

        // A sequence disposed while its request waits fails that request only.
        var doomed = local.Model.CreateSequence(new SequenceOptions { ContextLength = 32 });
        doomed.Dispose();
        EngineJob failing = local.Engine.Start(new GenerationRequest([1, 100, 200], Greedy) { Sequence = doomed });
        await Assert.ThrowsAsync<ObjectDisposedException>(() => Collect(failing.ReadAllAsync()));
        int[] prompt = [1, 100, 200, 300];
        Assert.Equal(ChatModels.GreedyAlone(local, prompt, 5), Ids(await Collect(local.Engine.GenerateAsync(new GenerationRequest(prompt, Greedy with { MaxNewTokens = 5 })))));
    }

    [Fact]
    public async Task ADisposedEngineOrModelFailsClearly()
    {
        LocalModel local = ChatModels.Load(parallel: 2);
        int[] prompt = [1, 100, 200];
        EngineJob running = local.Engine.Start(new GenerationRequest(prompt, Greedy with { MaxNewTokens = 100000 }));
        local.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => Collect(running.ReadAllAsync()));
        Assert.Throws<ObjectDisposedException>(() => local.Engine.Start(new GenerationRequest(prompt, Greedy)));

        // The model disposed under a live engine: requests fail with the model's error, not a crash.
        using LocalModel second = ChatModels.Load(parallel: 2);
        second.Model.Dispose();
        var error = await Assert.ThrowsAsync<ObjectDisposedException>(() => Collect(second.Engine.GenerateAsync(new GenerationRequest(prompt, Greedy))));
        Assert.Contains("disposed", error.Message);
    }
}
