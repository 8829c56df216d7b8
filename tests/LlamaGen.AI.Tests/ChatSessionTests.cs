using LlamaGen.Chat;
using LlamaGen.Hosting;
using LlamaGen.Inference;
using LlamaGen.Sampling;

namespace LlamaGen.AI.Tests;

/// <summary>
/// Conversations on the chat model: turn N evaluates only its new tokens (counted at the batch), an edited history
/// rewinds, the three overflow policies, save and load (damaged and foreign files refused), cancellation keeping what was
/// streamed, and the errors a bad conversation gets.
/// </summary>
public sealed class ChatSessionTests
{
    private static readonly GenerationOptions Greedy = new() { MaxNewTokens = 12, Sampling = SamplerOptions.Greedy };

    private static async Task<List<GenerationUpdate>> Reply(ChatSession session, string user, GenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = new List<GenerationUpdate>();
        await foreach (GenerationUpdate update in session.SendAsync(user, options ?? Greedy, cancellationToken)) list.Add(update);
        return list;
    }

    private static int[] Ids(List<GenerationUpdate> updates) => [.. updates.Where(u => !u.Token.IsEndOfSequence && u.Token.Id >= 0).Select(u => u.Token.Id)];

    [Fact]
    public async Task EachTurnEvaluatesOnlyTheTokensAfterWhatTheCacheHolds()
    {
        using LocalModel local = ChatModels.Load(parallel: 2, contextLength: 1024);
        using ChatSession session = local.CreateChatSession(systemPrompt: "You are terse.");
        int[] previousPrompt = [];
        for (int turn = 1; turn <= 6; turn++)
        {
            int[] held = session.Sequence.Tokens.ToArray();
            string user = $"Turn {turn}: tell me something about the number {turn * 7}.";
            int[] prompt = ChatModels.PromptIds(local, [.. session.Messages, new ChatMessage("user", user)]);
            long decodedBefore = local.Engine.Statistics.TokensDecoded;
            List<GenerationUpdate> updates = await Reply(session, user);
            long decoded = local.Engine.Statistics.TokensDecoded - decodedBefore;

            int shared = Math.Min(prompt.AsSpan().CommonPrefixLength(held), prompt.Length - 1);
            int[] reply = Ids(updates);
            GenerationUpdate last = updates[^1];
            // Fed to the model: the prompt after the shared prefix, then every reply token but one that was never fed.
            int fedReply = reply.Length - (last.StopReason == StopReason.MaxTokens ? 1 : 0);
            Assert.Equal(prompt.Length - shared + fedReply, decoded);
            Assert.Equal(shared, session.LastTurn!.CachedPromptTokens);
            Assert.Equal(prompt.Length, session.LastTurn.PromptTokens);
            // The whole previous prompt is reused, and of the previous reply what re-tokenizes to the ids generated.
            Assert.True(shared >= previousPrompt.Length, $"turn {turn}: {shared} reused, the previous prompt had {previousPrompt.Length}");
            previousPrompt = prompt;
            // And the reply is what the whole prompt decoded alone gives.
            Assert.Equal(ChatModels.GreedyAlone(local, prompt, Greedy.MaxNewTokens), reply);
            Assert.Equal("assistant", session.Messages[^1].Role);
            Assert.Equal(local.Tokenizer.Decode(reply).TrimStart(), session.Messages[^1].Content!.TrimStart());
        }
    }

    [Fact]
    public async Task AnEditedHistoryRewindsToWhereItDiffers()
    {
        using LocalModel local = ChatModels.Load(parallel: 1, contextLength: 1024);
        using ChatSession session = local.CreateChatSession();
        await Reply(session, "First question, about apples.");
        await Reply(session, "Second question, about pears.");
        int[] held = session.Sequence.Tokens.ToArray();
        session.TruncateMessages(2);
        List<GenerationUpdate> updates = await Reply(session, "Another second question, about plums.");
        int[] prompt = ChatModels.PromptIds(local, [.. session.Messages.Take(2), new ChatMessage("user", "Another second question, about plums.")]);
        Assert.Equal(prompt.AsSpan().CommonPrefixLength(held), session.LastTurn!.CachedPromptTokens);
        Assert.Equal(ChatModels.GreedyAlone(local, prompt, Greedy.MaxNewTokens), Ids(updates));
    }

    [Fact]
    public async Task TheDefaultPolicyRefusesAConversationLongerThanTheContextWithTheCounts()
    {
        using LocalModel local = ChatModels.Load(parallel: 1, contextLength: 96);
        using ChatSession session = local.CreateChatSession();
        string longMessage = string.Join(' ', Enumerable.Repeat("words", 120));
        var error = await Assert.ThrowsAsync<ContextLengthException>(() => Reply(session, longMessage));
        Assert.Equal(96, error.ContextLength);
        Assert.True(error.Tokens > 96);
        Assert.Contains($"{error.Tokens} tokens", error.Message);
        Assert.Contains("96 positions", error.Message);
        // The failed turn's message stays for the caller to edit; the session is usable again.
        Assert.Equal("user", session.Messages[^1].Role);
        session.TruncateMessages(0);
        Assert.NotEmpty(await Reply(session, "Short."));
    }

    [Fact]
    public async Task DroppingTheOldestTurnsKeepsTheSystemPromptAndTheLastTurn()
    {
        using LocalModel local = ChatModels.Load(parallel: 1, contextLength: 160);
        using ChatSession session = local.CreateChatSession(new ChatSessionOptions { OverflowPolicy = ContextOverflowPolicy.DropOldestTurns }, "Be kind.");
        for (int turn = 0; turn < 12; turn++) await Reply(session, $"Message {turn} with a few more words to fill the context.");
        Assert.True(session.DroppedMessages >= 2, $"{session.DroppedMessages} dropped");
        Assert.Equal(24 + 1, session.Messages.Count); // every message is kept in the transcript
        // The prompt the model saw: the system prompt, then the turns not dropped.
        int[] expected = ChatModels.PromptIds(local, [session.Messages[0], .. session.Messages.Skip(1 + session.DroppedMessages).SkipLast(1)]);
        Assert.Equal(expected, session.Sequence.Tokens[..expected.Length].ToArray());
        Assert.True(session.Sequence.Length <= 160);
    }

    [Fact]
    public async Task ShiftingTheContextKeepsTheSystemPromptAndGoesOnPastTheContext()
    {
        using LocalModel local = ChatModels.Load(parallel: 1, contextLength: 128);
        using ChatSession session = local.CreateChatSession(new ChatSessionOptions { OverflowPolicy = ContextOverflowPolicy.ShiftContext }, "Remember: be kind.");
        int[] systemPrefix = ChatModels.PromptIds(local, new ChatMessage("system", "Remember: be kind."), new ChatMessage("user", "A"));
        int[] systemPrefixB = ChatModels.PromptIds(local, new ChatMessage("system", "Remember: be kind."), new ChatMessage("user", "B"));
        int keep = systemPrefix.AsSpan().CommonPrefixLength(systemPrefixB);
        int shifts = 0;
        for (int turn = 0; turn < 10; turn++)
        {
            List<GenerationUpdate> updates = await Reply(session, $"Turn {turn}, a line of words to fill up the context.", Greedy with { MaxNewTokens = 20 });
            Assert.NotEmpty(updates);
            shifts += session.LastTurn!.ContextShifts;
            Assert.True(session.Sequence.Length <= 128);
            // The system prompt's tokens stay at the start of the cache, however often it shifts.
            Assert.Equal(systemPrefix[..keep], session.Sequence.Tokens[..keep].ToArray());
        }
        Assert.True(session.IsShifted);
        Assert.True(shifts >= 2, $"{shifts} shifts");
        // After a shift a turn appends to the cache: only its own tokens (and the previous reply's end) are evaluated.
        Assert.True(session.LastTurn!.CachedPromptTokens > session.LastTurn.PromptTokens / 2);
    }

    [Fact]
    public async Task ASavedConversationLoadsAndGoesOnAsIfNeverSaved()
    {
        using LocalModel local = ChatModels.Load(parallel: 2, contextLength: 512);
        string directory = Directory.CreateTempSubdirectory("llamagen-chat-").FullName;
        try
        {
            string path = Path.Combine(directory, "chat.json");
            using ChatSession original = local.CreateChatSession(systemPrompt: "Stay on topic.");
            await Reply(original, "Tell me about rivers.");
            await Reply(original, "And lakes?");
            original.Save(path);
            Assert.True(File.Exists(ChatSessionFile.CachePath(path)));

            using ChatSession loaded = local.CreateChatSession();
            loaded.Load(path);
            Assert.Equal(original.Messages, loaded.Messages);
            Assert.Equal(original.Sequence.Tokens.ToArray(), loaded.Sequence.Tokens.ToArray());
            List<GenerationUpdate> a = await Reply(original, "And the sea?");
            List<GenerationUpdate> b = await Reply(loaded, "And the sea?");
            Assert.Equal(Ids(a), Ids(b));
            Assert.Equal(original.LastTurn!.CachedPromptTokens, loaded.LastTurn!.CachedPromptTokens);
            Assert.True(loaded.LastTurn.CachedPromptTokens > 0);

            // Damaged, stale and foreign files are refused, and the session stays as it was.
            original.Save(path);
            int messages = loaded.Messages.Count;
            byte[] cache = File.ReadAllBytes(ChatSessionFile.CachePath(path));
            cache[cache.Length / 2] ^= 0x5A;
            File.WriteAllBytes(ChatSessionFile.CachePath(path), cache);
            var corrupt = Assert.Throws<InvalidDataException>(() => loaded.Load(path));
            Assert.Contains("checksum", corrupt.Message);
            Assert.Equal(messages, loaded.Messages.Count);

            original.Save(path);
            string other = Path.Combine(directory, "other.json");
            await Reply(original, "One more.");
            original.Save(other);
            File.Copy(ChatSessionFile.CachePath(other), ChatSessionFile.CachePath(path), overwrite: true);
            var stale = Assert.Throws<ChatSessionFileException>(() => loaded.Load(path));
            Assert.Contains("other tokens", stale.Message);

            File.WriteAllText(path, "{\n  \"format\": \"llamagen-chat\",\n  \"version\": 1,\n  \"model\": oops\n}");
            var broken = Assert.Throws<ChatSessionFileException>(() => loaded.Load(path));
            Assert.Contains("line 4", broken.Message);
            File.WriteAllText(path, "{\"format\": \"something-else\"}");
            Assert.Contains("not a LlamaGen conversation", Assert.Throws<ChatSessionFileException>(() => loaded.Load(path)).Message);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task ACancelledReplyKeepsWhatWasStreamedAndTheSessionGoesOn()
    {
        using LocalModel local = ChatModels.Load(parallel: 1, contextLength: 512);
        using ChatSession session = local.CreateChatSession();
        using var cancellation = new CancellationTokenSource();
        var streamed = new System.Text.StringBuilder();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (GenerationUpdate update in session.SendAsync("Go on and on.", Greedy with { MaxNewTokens = 200 }, cancellation.Token))
            {
                streamed.Append(update.Token.Text);
                if (streamed.Length > 5) cancellation.Cancel();
            }
        });
        Assert.Equal("assistant", session.Messages[^1].Role);
        Assert.Equal(streamed.ToString(), session.Messages[^1].Content);
        // Straight away, the next turn runs (the engine has let go of the sequence).
        Assert.NotEmpty(await Reply(session, "Stop."));
    }

    [Fact]
    public async Task TheTemplatesErrorsReachTheCaller()
    {
        using LocalModel local = ChatModels.Load(parallel: 1);
        using ChatSession session = local.CreateChatSession();
        session.Add(new ChatMessage("user", "one"));
        session.Add(new ChatMessage("user", "two"));
        var order = await Assert.ThrowsAsync<ChatTemplateException>(async () =>
        {
            await foreach (GenerationUpdate _ in session.ReplyAsync(Greedy)) { }
        });
        Assert.Contains("Conversation roles must alternate user/assistant/user/assistant/...", order.Message);

        session.Reset();
        var role = Assert.Throws<ArgumentException>(() => session.Add(new ChatMessage("narrator", "Once upon a time")));
        Assert.Contains("Unknown role 'narrator'", role.Message);
    }

    [Fact]
    public async Task ASessionOnADisposedModelFailsClearly()
    {
        LocalModel local = ChatModels.Load(parallel: 1);
        ChatSession session = local.CreateChatSession();
        local.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => Reply(session, "Hello?"));
        session.Dispose();
        Assert.Throws<ObjectDisposedException>(() => session.SendAsync("again"));
    }
}
