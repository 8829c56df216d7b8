using System.Diagnostics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using LlamaGen.Models;
using LlamaGen.Sequences;
using LlamaGen.Tokenization;

namespace LlamaGen.Inference;

/// <summary>
/// Continuous batching on one loaded model: one thread owns a <see cref="DecodeBatch"/> and, step after step, decodes the
/// next token of every generating request and chunks of the waiting prompts together, samples each request's next token,
/// and streams it to the request's reader (llama.cpp's server loop, without the HTTP). Requests arrive from any thread;
/// at most <see cref="InferenceEngineOptions.MaxParallel"/> run at once and the rest wait in arrival order. Every row of a
/// step is computed on its own, so a request gets exactly the tokens it gets alone, however many run beside it.
/// </summary>
public sealed class InferenceEngine : IDisposable
{
    private readonly ILlamaModel model;
    private readonly Tokenizer tokenizer;
    private readonly InferenceEngineOptions options;
    private readonly DecodeBatch batch;
    private readonly Thread thread;
    private readonly Lock gate = new();
    private readonly Queue<Job> queue = new();
    private readonly List<Job> active = [];
    private readonly HashSet<Sequence> inUse = [];
    // The engine's own sequences (llama.cpp's server slots): each keeps its tokens when its request ends, and the next
    // request without a sequence of its own takes the idle one sharing the longest prefix with its prompt.
    private readonly List<Sequence> idle = [];
    private int slots;
    private readonly AutoResetEvent wake = new(false);
    private volatile bool stopping;
    private long promptTokensEvaluated, tokensGenerated, promptTicks, generationTicks, requestsFinished, requestsRejected, steps, tokensDecoded;

    public InferenceEngine(ILlamaModel model, Tokenizer tokenizer, InferenceEngineOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tokenizer);
        if (tokenizer.VocabSize != model.Shape.VocabSize)
            throw new ArgumentException($"The tokenizer has {tokenizer.VocabSize} tokens but model '{model.Shape.Name}' has a vocabulary of {model.Shape.VocabSize}.", nameof(tokenizer));
        this.options = options ?? new InferenceEngineOptions();
        this.options.Validate();
        this.model = model;
        this.tokenizer = tokenizer;
        batch = new DecodeBatch(model, this.options.BatchCapacity, this.options.Pool);
        thread = new Thread(Loop) { IsBackground = true, Name = "LlamaGen inference engine" };
        thread.Start();
    }

    public ILlamaModel Model => model;

    public Tokenizer Tokenizer => tokenizer;

    public InferenceEngineOptions Options => options;

    /// <summary>Positions of the sequences the engine makes for requests that bring none.</summary>
    public int ContextLength => options.Sequences?.ContextLength ?? model.Shape.ContextLength;

    /// <summary>
    /// Queues <paramref name="request"/> and returns its handle at once; the updates stream through <see cref="EngineJob.ReadAllAsync"/>.
    /// Throws <see cref="EngineOverloadedException"/> when the queue is full, and <see cref="ArgumentException"/> for a
    /// prompt that does not fit the sequence.
    /// </summary>
    public EngineJob Start(GenerationRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ObjectDisposedException.ThrowIf(stopping, this);
        request.Options.Validate();
        if (request.PromptTokens.Count == 0) throw new ArgumentException("The prompt has no tokens.", nameof(request));
        foreach (int token in request.PromptTokens)
        {
            if ((uint)token >= (uint)model.Shape.VocabSize)
                throw new ArgumentOutOfRangeException(nameof(request), token, $"Prompt token {token} is outside the vocabulary [0, {model.Shape.VocabSize}).");
        }
        if (request.Sequence is { } given && !ReferenceEquals(given.Model, model))
            throw new ArgumentException("The request's sequence belongs to another model.", nameof(request));
        int capacity = request.Sequence?.Capacity ?? ContextLength;
        if (request.PromptTokens.Count > capacity - 1)
            throw new ContextLengthException(request.PromptTokens.Count, capacity);
        if (request.ContextShiftKeep is int keep && (keep < 0 || keep > capacity - 2))
            throw new ArgumentOutOfRangeException(nameof(request), keep, $"ContextShiftKeep must be in [0, {capacity - 2}] for a context of {capacity}.");

        var job = new Job(this, request, cancellationToken);
        lock (gate)
        {
            if (request.Sequence is { } sequence && !inUse.Add(sequence))
                throw new InvalidOperationException("The request's sequence is already in use by another request of this engine.");
            // Counted together: requests queued before the loop admits them (a burst) wait for slots as well.
            if (options.MaxQueue is int limit && active.Count + queue.Count >= options.MaxParallel + limit)
            {
                if (request.Sequence is { } s) inUse.Remove(s);
                Interlocked.Increment(ref requestsRejected);
                throw new EngineOverloadedException($"The engine is busy: {active.Count} requests run and {queue.Count} wait (the queue holds {limit}).");
            }
            queue.Enqueue(job);
        }
        job.Registration = cancellationToken.Register(static state => ((InferenceEngine)state!).Wake(), this);
        wake.Set();
        return job.Handle;
    }

    /// <summary>Queues <paramref name="request"/> and streams its updates (see <see cref="Start"/>).</summary>
    public IAsyncEnumerable<GenerationUpdate> GenerateAsync(GenerationRequest request, CancellationToken cancellationToken = default) =>
        Start(request, cancellationToken).ReadAllAsync(cancellationToken);

    /// <summary>
    /// The embeddings of <paramref name="inputs"/> (token ids each), decoded as parallel sequences: the final hidden states
    /// after the output norm, pooled over each input's tokens (mean by default, as llama.cpp's server), then scaled to unit
    /// length when <paramref name="normalize"/> (llama.cpp's server does).
    /// </summary>
    public Task<float[][]> EmbedAsync(IReadOnlyList<IReadOnlyList<int>> inputs, EmbeddingPooling pooling = EmbeddingPooling.Mean,
        bool normalize = true, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ObjectDisposedException.ThrowIf(stopping, this);
        int capacity = ContextLength;
        for (int i = 0; i < inputs.Count; i++)
        {
            ArgumentNullException.ThrowIfNull(inputs[i], $"inputs[{i}]");
            if (inputs[i].Count == 0) throw new ArgumentException($"Input {i} has no tokens.", nameof(inputs));
            if (inputs[i].Count > capacity) throw new ContextLengthException(inputs[i].Count, capacity, $"Input {i}", needsReply: false);
            foreach (int token in inputs[i])
            {
                if ((uint)token >= (uint)model.Shape.VocabSize)
                    throw new ArgumentOutOfRangeException(nameof(inputs), token, $"Input {i} has token {token}, outside the vocabulary [0, {model.Shape.VocabSize}).");
            }
        }
        var embedding = new EmbeddingJob(inputs, pooling, normalize, model.Shape.EmbeddingLength, cancellationToken);
        if (inputs.Count == 0) return Task.FromResult(Array.Empty<float[]>());
        lock (gate)
        {
            foreach (Job part in embedding.Parts) queue.Enqueue(part);
        }
        embedding.Registration = cancellationToken.Register(static state => ((InferenceEngine)state!).Wake(), this);
        wake.Set();
        return embedding.Completion.Task;
    }

    /// <summary>Wakes the loop (a reader stopped early).</summary>
    internal void Wake()
    {
        if (stopping) return;
        try
        {
            wake.Set();
        }
        catch (ObjectDisposedException)
        {
            // The engine stopped meanwhile: nothing to wake.
        }
    }

    /// <summary>A snapshot of the engine's counters (what a server's /metrics reports).</summary>
    public EngineStatistics Statistics
    {
        get
        {
            lock (gate)
            {
                long used = 0, capacity = 0;
                foreach (Job job in active)
                {
                    used += job.Sequence?.Length ?? 0;
                    capacity += job.Sequence?.Capacity ?? 0;
                }
                return new EngineStatistics(
                    Interlocked.Read(ref promptTokensEvaluated), Interlocked.Read(ref tokensGenerated),
                    Stopwatch.GetElapsedTime(0, Interlocked.Read(ref promptTicks)), Stopwatch.GetElapsedTime(0, Interlocked.Read(ref generationTicks)),
                    active.Count, queue.Count, Interlocked.Read(ref requestsFinished), Interlocked.Read(ref requestsRejected),
                    used, capacity, Interlocked.Read(ref steps), Interlocked.Read(ref tokensDecoded));
            }
        }
    }

    private void Loop()
    {
        var rows = new List<Job>(options.BatchCapacity);
        while (!stopping)
        {
            lock (gate)
            {
                while (active.Count < options.MaxParallel && queue.Count > 0) Admit(queue.Dequeue());
            }
            DropCancelled();
            if (active.Count == 0)
            {
                wake.WaitOne();
                continue;
            }

            // One step: the next token of every generating request first (each a single row), then prompt chunks in
            // arrival order while rows are free.
            batch.Clear();
            rows.Clear();
            bool prompt = false;
            foreach (Job job in active)
            {
                if (!job.Generating || job.Done) continue;
                try
                {
                    Sequence sequence = job.Sequence!;
                    if (sequence.Remaining == 0 && job.Request!.ContextShiftKeep is int keep)
                    {
                        // llama.cpp's context shift: keep the first tokens, drop half of the rest, go on.
                        sequence.Shift(keep, (sequence.Length - keep) / 2);
                        job.Shifts++;
                    }
                    job.Row = batch.Add(sequence, job.NextToken, BatchOutput.Logits);
                    rows.Add(job);
                }
                catch (Exception e) when (e is ObjectDisposedException or InvalidOperationException or ArgumentException)
                {
                    // The request's own sequence was disposed or misused meanwhile: that request fails, the others go on.
                    Finish(job, e);
                }
            }
            foreach (Job job in active)
            {
                if (job.Generating || job.Done) continue;
                int free = batch.Capacity - batch.Count;
                if (free == 0) break;
                int count = Math.Min(Math.Min(options.PromptChunk, job.Tokens.Count - job.Fed), free);
                bool last = job.Fed + count == job.Tokens.Count;
                try
                {
                    for (int i = 0; i < count; i++)
                    {
                        BatchOutput output = job.Embedding is not null ? BatchOutput.Embedding : last && i == count - 1 ? BatchOutput.Logits : BatchOutput.None;
                        int row = batch.Add(job.Sequence!, job.Tokens[job.Fed + i], output);
                        if (job.Embedding is not null) job.EmbeddingRows.Add(row);
                        if (i == count - 1) job.Row = last || job.Embedding is not null ? row : -1;
                    }
                }
                catch (Exception e) when (e is ObjectDisposedException or InvalidOperationException or ArgumentException)
                {
                    Finish(job, e);
                    continue;
                }
                job.Fed += count;
                job.Evaluated += count;
                prompt = true;
                rows.Add(job);
            }

            long start = Stopwatch.GetTimestamp();
            try
            {
                if (rows.Count > 0) batch.Decode();
                Interlocked.Exchange(ref tokensDecoded, batch.RowsDecoded);
            }
            catch (Exception e)
            {
                // A step that fails fails every request in it; the engine goes on with the next ones.
                foreach (Job job in rows) Finish(job, e);
                rows.Clear();
            }
            long elapsed = Stopwatch.GetTimestamp() - start;
            Interlocked.Increment(ref steps);
            Interlocked.Add(ref prompt ? ref promptTicks : ref generationTicks, elapsed);

            foreach (Job job in rows)
            {
                try
                {
                    if (job.Embedding is not null)
                    {
                        AccumulateEmbedding(job);
                        continue;
                    }
                    if (job.Row < 0) continue; // a prompt chunk that is not the last
                    if (!job.Generating) Interlocked.Add(ref promptTokensEvaluated, job.Evaluated);
                    if (job.EvaluateOnly)
                    {
                        job.State!.Finish(StopReason.MaxTokens);
                        Finish(job, null, last: new GenerationUpdate(new GeneratedToken(-1, job.Tokens.Count, ""), StopReason.MaxTokens, job.Tokens.Count, job.Cached, 0, job.Sequence!.Length));
                        continue;
                    }
                    GeneratedToken token = job.State!.Next(batch.Logits(job.Row));
                    if (job.State.StopReason is { } reason)
                    {
                        if (!token.IsEndOfSequence) Interlocked.Increment(ref tokensGenerated);
                        Finish(job, null, last: new GenerationUpdate(token, reason, job.Tokens.Count, job.Cached, job.State.Generated.Count, job.Sequence!.Length, job.Shifts));
                        continue;
                    }
                    Interlocked.Increment(ref tokensGenerated);
                    job.Write(new GenerationUpdate(token));
                    job.Generating = true;
                    job.NextToken = token.Id;
                }
                catch (Exception e)
                {
                    // Sampling or pooling failed for this request alone.
                    Finish(job, e);
                }
            }
            lock (gate)
            {
                active.RemoveAll(static job => job.Done);
            }
        }
    }

    /// <summary>Moves a queued request into the running set: its sequence rewound to what it shares with the prompt.</summary>
    private void Admit(Job job)
    {
        if (job.Cancelled)
        {
            Finish(job, null, cancelled: true);
            return;
        }
        try
        {
            if (job.Embedding is not null)
            {
                // An input needs exactly its own positions; its cache goes when it is pooled.
                job.OwnedSequence = model.CreateSequence((options.Sequences ?? SequenceOptions.Default) with { ContextLength = job.Tokens.Count });
                job.Sequence = job.OwnedSequence;
            }
            else
            {
                job.Sequence = job.Request!.Sequence ?? TakeSlot(job.Tokens);
                // At least the last prompt token is evaluated, for its logits.
                int[] prompt = job.Tokens as int[] ?? [.. job.Tokens];
                job.Cached = Math.Min(job.Sequence.CommonPrefix(prompt), prompt.Length - 1);
                job.Sequence.Rewind(job.Cached);
                job.Fed = job.Cached;
                int limit = job.Request.ContextShiftKeep is null ? job.Sequence.Capacity : int.MaxValue;
                job.State = new GenerationState(tokenizer, job.Tokens, job.Request.Options, limit);
                // A limit of 0 tokens: evaluate the prompt, then finish.
                job.EvaluateOnly = job.Request.Options.MaxNewTokens == 0;
            }
            active.Add(job);
        }
        catch (Exception e)
        {
            Finish(job, e);
        }
    }

    /// <summary>The idle slot sharing the longest prefix with <paramref name="prompt"/> (least recently used on ties), or a new one.</summary>
    private Sequence TakeSlot(IReadOnlyList<int> prompt)
    {
        int[] tokens = prompt as int[] ?? [.. prompt];
        int best = -1, bestShared = -1;
        for (int i = 0; i < idle.Count; i++)
        {
            int shared = idle[i].CommonPrefix(tokens);
            if (shared > bestShared)
            {
                best = i;
                bestShared = shared;
            }
        }
        if (best >= 0 && (bestShared > 0 || slots >= options.MaxParallel))
        {
            Sequence slot = idle[best];
            idle.RemoveAt(best);
            return slot;
        }
        slots++;
        return model.CreateSequence(options.Sequences);
    }

    private void DropCancelled()
    {
        bool any = false;
        foreach (Job job in active)
        {
            if (!job.Cancelled || job.Done) continue;
            Finish(job, null, cancelled: true);
            any = true;
        }
        if (any)
        {
            lock (gate) active.RemoveAll(static job => job.Done);
        }
    }

    private void AccumulateEmbedding(Job job)
    {
        ReadOnlySpan<float> row;
        foreach (int r in job.EmbeddingRows)
        {
            row = batch.Embedding(r);
            job.Embedding!.Add(job.Index, row, first: job.PooledRows == 0);
            job.PooledRows++;
        }
        job.EmbeddingRows.Clear();
        if (job.Fed == job.Tokens.Count)
        {
            job.Embedding!.Complete(job.Index, job.PooledRows);
            Finish(job, null);
        }
    }

    /// <summary>Ends a request: its sequence is let go first, then the last update (if any) is written and the stream completed.</summary>
    private void Finish(Job job, Exception? error, bool cancelled = false, GenerationUpdate? last = null)
    {
        if (job.Done) return;
        job.Done = true;
        job.Registration.Dispose();
        if (job.OwnedSequence is not null)
        {
            job.OwnedSequence.Dispose();
            job.OwnedSequence = null;
        }
        else if (job.Request is { Sequence: null } && job.Sequence is { } slot)
        {
            // Back to the idle slots, with its tokens, for the next request to reuse; a failed step leaves its cache stale.
            if (error is not null) slot.Rewind(0);
            idle.Add(slot);
        }
        if (job.Request?.Sequence is { } sequence)
        {
            lock (gate) inUse.Remove(sequence);
        }
        if (job.Embedding is not null)
        {
            if (error is not null) job.Embedding.Fail(error);
            else if (cancelled) job.Embedding.Cancel();
            return;
        }
        Interlocked.Increment(ref requestsFinished);
        job.Released.TrySetResult();
        if (last is { } update) job.Write(update);
        if (error is not null) job.Fail(error);
        else if (cancelled) job.Fail(new OperationCanceledException(job.CancellationToken));
        else job.Complete();
    }

    /// <summary>Stops the loop; requests still queued or running end with <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        if (stopping) return;
        stopping = true;
        wake.Set();
        thread.Join();
        lock (gate)
        {
            foreach (Job job in active) Finish(job, new ObjectDisposedException(nameof(InferenceEngine)));
            while (queue.Count > 0) Finish(queue.Dequeue(), new ObjectDisposedException(nameof(InferenceEngine)));
            active.Clear();
        }
        foreach (Sequence slot in idle) slot.Dispose();
        idle.Clear();
        batch.Dispose();
        wake.Dispose();
    }

    /// <summary>One request (or one input of an embedding request) as the loop tracks it.</summary>
    internal sealed class Job
    {
        private readonly Channel<GenerationUpdate>? channel;

        public Job(InferenceEngine engine, GenerationRequest request, CancellationToken cancellationToken)
        {
            Request = request;
            Tokens = request.PromptTokens;
            CancellationToken = cancellationToken;
            channel = Channel.CreateUnbounded<GenerationUpdate>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
            Handle = new EngineJob(engine, this);
        }

        public Job(EmbeddingJob embedding, int index, IReadOnlyList<int> tokens, CancellationToken cancellationToken)
        {
            Embedding = embedding;
            Index = index;
            Tokens = tokens;
            CancellationToken = cancellationToken;
            Handle = null!;
        }

        public GenerationRequest? Request { get; }
        public EmbeddingJob? Embedding { get; }
        public int Index { get; }
        public IReadOnlyList<int> Tokens { get; }
        public CancellationToken CancellationToken { get; }
        public EngineJob Handle { get; }
        public CancellationTokenRegistration Registration { get; set; }
        public Sequence? Sequence { get; set; }
        public Sequence? OwnedSequence { get; set; }
        public GenerationState? State { get; set; }
        public int Cached { get; set; }
        public int Fed { get; set; }
        public int Evaluated { get; set; }
        public bool Generating { get; set; }
        public int Shifts { get; set; }
        public bool EvaluateOnly { get; set; }
        public int NextToken { get; set; }
        public int Row { get; set; } = -1;
        public bool Done { get; set; }
        public List<int> EmbeddingRows { get; } = [];
        /// <summary>Completes when the engine has let go of the request's sequence.</summary>
        public TaskCompletionSource Released { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public int PooledRows { get; set; }

        /// <summary>The caller stopped reading, or its token was cancelled.</summary>
        public bool Cancelled => CancellationToken.IsCancellationRequested || Handle is { Abandoned: true } || (Embedding?.CancellationToken.IsCancellationRequested ?? false);

        public void Write(GenerationUpdate update) => channel!.Writer.TryWrite(update);

        public void Complete() => channel!.Writer.TryComplete();

        public void Fail(Exception error) => channel!.Writer.TryComplete(error);

        public ChannelReader<GenerationUpdate> Reader => channel!.Reader;
    }

    /// <summary>The pooled sums of an embedding request's inputs.</summary>
    internal sealed class EmbeddingJob
    {
        private readonly float[][] results;
        private readonly EmbeddingPooling pooling;
        private readonly bool normalize;
        private int remaining;

        public EmbeddingJob(IReadOnlyList<IReadOnlyList<int>> inputs, EmbeddingPooling pooling, bool normalize, int dimension, CancellationToken cancellationToken)
        {
            this.pooling = pooling;
            this.normalize = normalize;
            CancellationToken = cancellationToken;
            results = new float[inputs.Count][];
            for (int i = 0; i < inputs.Count; i++) results[i] = new float[dimension];
            remaining = inputs.Count;
            Parts = [.. inputs.Select((tokens, i) => new Job(this, i, tokens, cancellationToken))];
        }

        public Job[] Parts { get; }
        public CancellationToken CancellationToken { get; }
        public CancellationTokenRegistration Registration { get; set; }
        public TaskCompletionSource<float[][]> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Add(int index, ReadOnlySpan<float> row, bool first)
        {
            Span<float> sum = results[index];
            switch (pooling)
            {
                case EmbeddingPooling.Mean: TensorPrimitives.Add(sum, row, sum); break;
                case EmbeddingPooling.Last: row.CopyTo(sum); break;
                case EmbeddingPooling.First: if (first) row.CopyTo(sum); break;
            }
        }

        public void Complete(int index, int rows)
        {
            Span<float> vector = results[index];
            if (pooling == EmbeddingPooling.Mean) TensorPrimitives.Divide(vector, rows, vector);
            if (normalize)
            {
                float norm = TensorPrimitives.Norm(vector);
                if (norm > 0) TensorPrimitives.Divide(vector, norm, vector);
            }
            if (Interlocked.Decrement(ref remaining) == 0)
            {
                Registration.Dispose();
                Completion.TrySetResult(results);
            }
        }

        public void Fail(Exception error) => Completion.TrySetException(error);

        public void Cancel() => Completion.TrySetCanceled(CancellationToken);
    }
}
