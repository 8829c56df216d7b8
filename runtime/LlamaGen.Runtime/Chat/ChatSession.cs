using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;
using LlamaGen.Inference;
using LlamaGen.Sequences;
using LlamaGen.Tokenization;

namespace LlamaGen.Chat;

/// <summary>
/// One conversation on an <see cref="InferenceEngine"/>: its messages and a sequence of its own, whose KV cache it keeps
/// between turns, so a new turn evaluates only the tokens after the longest prefix the cache already holds (an edited
/// history rewinds to where it differs). Prompts are rendered with the model's chat template (<see cref="ChatPrompt"/>).
/// When the conversation outgrows the context, <see cref="ChatSessionOptions.OverflowPolicy"/> decides: refuse with the
/// token counts (the default), leave the oldest turns out, or shift the context as llama.cpp does. One reply at a time;
/// any number of sessions reply at once on one engine.
/// </summary>
public sealed class ChatSession : IDisposable
{
    private readonly InferenceEngine engine;
    private readonly ChatPrompt prompt;
    private readonly ChatSessionOptions options;
    private readonly Tokenizer tokenizer;
    private readonly List<ChatMessage> messages = [];
    private readonly CancellationTokenSource disposal = new();
    private Sequence sequence;
    private int busy;
    private bool disposed;

    /// <param name="systemPrompt">The first message, with the role "system"; null: none.</param>
    public ChatSession(InferenceEngine engine, ChatPrompt prompt, ChatSessionOptions? options = null, string? systemPrompt = null)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(prompt);
        this.options = options ?? new ChatSessionOptions();
        this.options.Validate();
        this.engine = engine;
        this.prompt = prompt;
        tokenizer = engine.Tokenizer;
        sequence = engine.Model.CreateSequence(engine.Options.Sequences);
        if (systemPrompt is not null) messages.Add(new ChatMessage("system", systemPrompt));
    }

    public InferenceEngine Engine => engine;

    public ChatPrompt Prompt => prompt;

    public ChatSessionOptions Options => options;

    /// <summary>The conversation, oldest first, including the turns <see cref="ContextOverflowPolicy.DropOldestTurns"/> left out of the prompt.</summary>
    public IReadOnlyList<ChatMessage> Messages => messages;

    /// <summary>The sequence whose KV cache holds the conversation as the model last saw it.</summary>
    public Sequence Sequence => sequence;

    /// <summary>Messages after the system prompt that the prompt leaves out (<see cref="ContextOverflowPolicy.DropOldestTurns"/>).</summary>
    public int DroppedMessages { get; private set; }

    /// <summary>Whether the context was shifted: the cache no longer holds the whole conversation, and turns are appended to it.</summary>
    public bool IsShifted { get; private set; }

    /// <summary>The end-of-generation token that ended the last reply (not fed to the model while it generated), or null.</summary>
    public int? LastEndToken { get; private set; }

    /// <summary>What the last reply cost, or null before the first.</summary>
    public ChatTurnStatistics? LastTurn { get; private set; }

    /// <summary>The leading system message's text, or null; setting it replaces, adds or (null) removes that message.</summary>
    public string? SystemPrompt
    {
        get => messages.Count > 0 && messages[0].Role == "system" ? messages[0].Content : null;
        set
        {
            ThrowIfBusy();
            bool has = messages.Count > 0 && messages[0].Role == "system";
            if (value is null)
            {
                if (has) messages.RemoveAt(0);
            }
            else if (has)
            {
                messages[0] = new ChatMessage("system", value);
            }
            else
            {
                messages.Insert(0, new ChatMessage("system", value));
            }
            // The conversation changed from its start: render it whole again (the cache keeps what still matches).
            IsShifted = false;
            DroppedMessages = 0;
        }
    }

    /// <summary>The roles a message may have: those of OpenAI's API and Hugging Face's templates.</summary>
    public static IReadOnlySet<string> KnownRoles { get; } = new HashSet<string>(StringComparer.Ordinal) { "system", "user", "assistant", "tool", "ipython", "developer", "function" };

    /// <summary>Appends a message (a user turn, or any known role the template accepts).</summary>
    /// <exception cref="ArgumentException">The role is not one of <see cref="KnownRoles"/> (a template would ignore or misplace it).</exception>
    public void Add(ChatMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentException.ThrowIfNullOrEmpty(message.Role, nameof(message));
        if (!KnownRoles.Contains(message.Role))
            throw new ArgumentException($"Unknown role '{message.Role}': a message's role is one of {string.Join(", ", KnownRoles)}.", nameof(message));
        ThrowIfBusy();
        messages.Add(message);
    }

    /// <summary>Keeps the first <paramref name="count"/> messages and forgets the rest (an edit of the history; the next turn rewinds the cache to where it differs).</summary>
    public void TruncateMessages(int count)
    {
        ThrowIfBusy();
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, messages.Count);
        if (count == messages.Count) return;
        messages.RemoveRange(count, messages.Count - count);
        DroppedMessages = Math.Min(DroppedMessages, Math.Max(0, messages.Count - SystemCount()));
        if (IsShifted)
        {
            // What the shifted cache holds cannot be matched against an edited history: start from the messages again.
            sequence.Rewind(0);
            IsShifted = false;
        }
        LastEndToken = null;
    }

    /// <summary>Forgets the conversation but its system prompt; the cache keeps the system prompt's tokens for the next turn.</summary>
    public void Reset()
    {
        ThrowIfBusy();
        string? system = SystemPrompt;
        messages.Clear();
        if (system is not null) messages.Add(new ChatMessage("system", system));
        if (IsShifted) sequence.Rewind(0);
        IsShifted = false;
        DroppedMessages = 0;
        LastEndToken = null;
        LastTurn = null;
    }

    /// <summary>Appends a user message and streams the reply (see <see cref="ReplyAsync"/>).</summary>
    public IAsyncEnumerable<GenerationUpdate> SendAsync(string userMessage, GenerationOptions? generation = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userMessage);
        Add(new ChatMessage("user", userMessage));
        return ReplyAsync(generation, cancellationToken);
    }

    /// <summary>
    /// Streams the assistant's reply to the conversation as it is generated and appends it as an assistant message when it
    /// ends, also when it is stopped early (cancellation, or the caller stops reading): what was streamed stays. Nothing
    /// happens until the enumeration starts; the prompt is checked before anything is queued.
    /// </summary>
    /// <exception cref="ContextLengthException">The conversation does not fit (default policy), or its last turn alone does not.</exception>
    /// <exception cref="ChatTemplateException">The template refused the conversation (an unknown role, an order it does not allow).</exception>
    public IAsyncEnumerable<GenerationUpdate> ReplyAsync(GenerationOptions? generation = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        generation ??= new GenerationOptions();
        generation.Validate();
        return Reply(generation, cancellationToken);
    }

    private async IAsyncEnumerable<GenerationUpdate> Reply(GenerationOptions generation, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (Interlocked.Exchange(ref busy, 1) == 1)
            throw new InvalidOperationException("The session is replying already; one reply at a time (start another session for another conversation).");
        CancellationTokenSource? linked = null;
        long start = Stopwatch.GetTimestamp();
        var reply = new StringBuilder();
        GenerationUpdate last = default;
        bool finished = false;
        EngineJob? job = null;
        int promptTokens = 0, shifts = 0;
        try
        {
            int[] tokens = BuildPrompt(generation, ref shifts);
            promptTokens = tokens.Length;
            var request = new GenerationRequest(tokens, generation)
            {
                Sequence = sequence,
                ContextShiftKeep = options.OverflowPolicy == ContextOverflowPolicy.ShiftContext ? ShiftKeep() : null,
            };
            linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, disposal.Token);
            job = engine.Start(request, linked.Token);
            await foreach (GenerationUpdate update in job.ReadAllAsync(linked.Token).ConfigureAwait(false))
            {
                reply.Append(update.Token.Text);
                if (update.IsLast)
                {
                    last = update;
                    finished = true;
                }
                yield return update;
            }
        }
        finally
        {
            if (job is not null)
            {
                // A reply stopped early: the engine lets go of the sequence before its next step.
                await job.Released.ConfigureAwait(false);
                // The reply, or what was streamed of it before it was stopped, joins the conversation.
                if (finished || reply.Length > 0) messages.Add(new ChatMessage("assistant", reply.ToString()));
                LastEndToken = finished && last.Token.IsEndOfSequence ? last.Token.Id : null;
                if (last.ContextShifts > 0) IsShifted = true;
                if (finished)
                {
                    LastTurn = new ChatTurnStatistics(promptTokens, last.CachedPromptTokens, last.GeneratedTokens, Stopwatch.GetElapsedTime(start),
                        last.SequenceLength, sequence.Capacity, last.StopReason!.Value, DroppedMessages, shifts + last.ContextShifts);
                }
            }
            linked?.Dispose();
            Volatile.Write(ref busy, 0);
            if (disposed) sequence.Dispose();
        }
    }

    /// <summary>The prompt's tokens for the next reply, under the overflow policy (dropping turns or shifting the cache as it says).</summary>
    private int[] BuildPrompt(GenerationOptions generation, ref int shifts)
    {
        int capacity = sequence.Capacity;
        int reserve = Math.Clamp(options.ReplyReserve ?? Math.Min(Math.Max(generation.MaxNewTokens, 1), capacity / 4), 1, capacity - 1);
        switch (options.OverflowPolicy)
        {
            case ContextOverflowPolicy.DropOldestTurns:
            {
                int[] tokens = Render(addGenerationPrompt: true);
                while (tokens.Length > capacity - reserve && DropOldestTurn()) tokens = Render(addGenerationPrompt: true);
                if (tokens.Length > capacity - 1)
                    throw new ContextLengthException(tokens.Length, capacity, DroppedMessages > 0 ? "The conversation, even without its older turns," : "The conversation");
                return tokens;
            }
            case ContextOverflowPolicy.ShiftContext:
                return IsShifted ? Append(capacity, reserve, ref shifts) : Truncate(Render(addGenerationPrompt: true), capacity, reserve);
            default:
            {
                int[] tokens = Render(addGenerationPrompt: true);
                if (tokens.Length > capacity - 1) throw new ContextLengthException(tokens.Length, capacity, "The conversation");
                return tokens;
            }
        }
    }

    /// <summary>The conversation's prompt: the leading system messages, then the messages not dropped.</summary>
    private int[] Render(bool addGenerationPrompt, int count = -1)
    {
        if (count < 0) count = messages.Count;
        int system = SystemCount();
        var window = new List<object?>(count);
        for (int i = 0; i < Math.Min(system, count); i++) window.Add(messages[i]);
        for (int i = system + DroppedMessages; i < count; i++) window.Add(messages[i]);
        ChatPromptOptions promptOptions = (options.Prompt ?? new ChatPromptOptions()) with { AddGenerationPrompt = addGenerationPrompt };
        return prompt.Tokenize(tokenizer, window, promptOptions);
    }

    private int SystemCount()
    {
        int count = 0;
        while (count < messages.Count && messages[count].Role == "system") count++;
        return count;
    }

    /// <summary>Leaves the oldest turn out of the prompt: a user message and what follows it up to the next user message. The last user turn stays.</summary>
    private bool DropOldestTurn()
    {
        int start = SystemCount() + DroppedMessages;
        int next = start + 1;
        while (next < messages.Count && messages[next].Role != "user") next++;
        if (next >= messages.Count) return false;
        DroppedMessages = next - SystemCount();
        return true;
    }

    /// <summary>
    /// A prompt too long for the context, cut as llama.cpp's server cuts one: the first <see cref="ShiftKeep"/> tokens stay, then
    /// blocks of half the rest of the context are erased after them until the prompt and the reply's room fit.
    /// </summary>
    private int[] Truncate(int[] tokens, int capacity, int reserve)
    {
        if (tokens.Length <= capacity - reserve) return tokens;
        int keep = ShiftKeep();
        int block = Math.Max(1, (capacity - keep) / 2);
        int excess = tokens.Length - (capacity - reserve);
        int erase = (excess + block - 1) / block * block;
        if (keep + erase >= tokens.Length || tokens.Length - erase > capacity - 1)
            throw new ContextLengthException(tokens.Length - keep, capacity - keep, "The conversation's last turn");
        IsShifted = true;
        return [.. tokens.AsSpan(0, keep), .. tokens.AsSpan(keep + erase)];
    }

    /// <summary>
    /// After a shift the cache no longer matches a rendering of the conversation: the new turn's tokens (what the template adds
    /// after the last reply) are appended to what the cache holds, shifting it again while they and the reply's room do not fit.
    /// </summary>
    private int[] Append(int capacity, int reserve, ref int shifts)
    {
        int lastReply = messages.FindLastIndex(static m => m.Role == "assistant");
        int[] full = Render(addGenerationPrompt: true);
        int[] previous = lastReply >= 0 ? Render(addGenerationPrompt: false, count: lastReply + 1) : [];
        int common = full.AsSpan().CommonPrefixLength(previous);
        if (lastReply < 0 || common < previous.Length - 8)
        {
            // The template does not render the conversation incrementally: start over from the whole (cut) conversation.
            sequence.Rewind(0);
            IsShifted = false;
            return Truncate(full, capacity, reserve);
        }
        ReadOnlySpan<int> turn = full.AsSpan(common);
        int keep = ShiftKeep();
        int extra = LastEndToken is null ? 0 : 1;
        while (sequence.Length + extra + turn.Length > capacity - reserve)
        {
            int discard = (sequence.Length - keep) / 2;
            if (discard <= 0) throw new ContextLengthException(keep + extra + turn.Length, capacity, "The new turn");
            sequence.Shift(keep, discard);
            shifts++;
        }
        var tokens = new int[sequence.Length + extra + turn.Length];
        sequence.Tokens.CopyTo(tokens);
        if (LastEndToken is int end) tokens[sequence.Length] = end;
        turn.CopyTo(tokens.AsSpan(sequence.Length + extra));
        return tokens;
    }

    /// <summary>Tokens a shift keeps: the option, or the system prompt's as the template renders it (the tokens two different user turns share).</summary>
    private int ShiftKeep()
    {
        if (options.ShiftKeep is int given) return Math.Min(given, sequence.Capacity - 2);
        int system = SystemCount();
        var head = new List<object?>(system + 1);
        for (int i = 0; i < system; i++) head.Add(messages[i]);
        ChatPromptOptions promptOptions = (options.Prompt ?? new ChatPromptOptions()) with { AddGenerationPrompt = true };
        try
        {
            int[] a = prompt.Tokenize(tokenizer, [.. head, new ChatMessage("user", "A")], promptOptions);
            int[] b = prompt.Tokenize(tokenizer, [.. head, new ChatMessage("user", "B")], promptOptions);
            return Math.Min(a.AsSpan().CommonPrefixLength(b), sequence.Capacity / 2);
        }
        catch (ChatTemplateException)
        {
            return tokenizer.AddBos ? 1 : 0;
        }
    }

    /// <summary>
    /// Writes the conversation to <paramref name="path"/> (JSON) and the cache to <c>PATH.kv</c> (a <see cref="SequenceStateFile"/>),
    /// each to a temporary file renamed at the end, so a failed save leaves the previous files as they were.
    /// </summary>
    public void Save(string path)
    {
        ThrowIfBusy();
        ChatSessionFile.Write(this, path);
    }

    /// <summary>
    /// Replaces this session's conversation and cache with what <see cref="Save"/> wrote. A missing <c>PATH.kv</c> means an empty
    /// cache (the next turn evaluates the conversation); a damaged or foreign one is refused, and the session stays as it was.
    /// </summary>
    public void Load(string path)
    {
        ThrowIfBusy();
        ChatSessionFile.Contents contents = ChatSessionFile.Read(engine.Model, path, engine.Options.Sequences);
        messages.Clear();
        messages.AddRange(contents.Messages);
        DroppedMessages = Math.Min(contents.DroppedMessages, Math.Max(0, messages.Count - SystemCount()));
        IsShifted = contents.IsShifted;
        LastEndToken = contents.LastEndToken;
        LastTurn = null;
        sequence.Dispose();
        sequence = contents.Sequence ?? engine.Model.CreateSequence(engine.Options.Sequences);
    }

    private void ThrowIfBusy()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (Volatile.Read(ref busy) == 1) throw new InvalidOperationException("The session is replying; wait for the reply (or cancel it) first.");
    }

    /// <summary>Stops a reply in progress and frees the cache (once the engine lets go of it).</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        disposal.Cancel();
        if (Volatile.Read(ref busy) == 0) sequence.Dispose();
    }
}
