using LlamaGen.Compute;
using LlamaGen.Models;

namespace LlamaGen.Sequences;

/// <summary>
/// One sequence of tokens on a loaded model: its own KV cache and the tokens it holds (llama.cpp's sequence in a
/// context). The model is shared and holds weights only; any number of sequences decode on it, alone or together in a
/// <see cref="DecodeBatch"/>. A sequence can rewind, fork (a copy that shares nothing mutable), shift its context as
/// llama.cpp does, and save and load its state (<see cref="SequenceStateFile"/>). Not thread-safe: one batch at a time.
/// </summary>
public sealed class Sequence : IDisposable
{
    private readonly int[] tokens;
    private readonly SequenceOptions options;
    private bool disposed;

    internal Sequence(ILlamaModel model, KvCache cache, SequenceOptions options)
    {
        Model = model;
        Cache = cache;
        this.options = options;
        tokens = new int[cache.ContextLength];
    }

    /// <summary>Creates a sequence with <paramref name="cache"/> for <paramref name="model"/>; generated models call this from <c>CreateSequence</c>.</summary>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public static Sequence Create(ILlamaModel model, KvCache cache, SequenceOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentNullException.ThrowIfNull(options);
        return new Sequence(model, cache, options);
    }

    public ILlamaModel Model { get; }

    /// <summary>The keys and values of the positions held (rows beyond <see cref="Length"/> are stale).</summary>
    public KvCache Cache { get; }

    /// <summary>Tokens held, and the position the next one goes to.</summary>
    public int Length { get; private set; }

    /// <summary>Positions the sequence can hold.</summary>
    public int Capacity => Cache.ContextLength;

    public int Remaining => Capacity - Length;

    /// <summary>The tokens held, position by position.</summary>
    public ReadOnlySpan<int> Tokens => tokens.AsSpan(0, Length);

    /// <summary>The batch this sequence has tokens waiting in, and how many.</summary>
    internal DecodeBatch? PendingBatch { get; set; }

    internal int Pending { get; set; }

    /// <summary>How many leading tokens of <paramref name="other"/> this sequence already holds: what a new turn can reuse.</summary>
    public int CommonPrefix(ReadOnlySpan<int> other) => Tokens.CommonPrefixLength(other);

    /// <summary>Forgets everything from position <paramref name="length"/> on (the cache rows stay, to be overwritten).</summary>
    public void Rewind(int length)
    {
        ThrowIfDisposed();
        ThrowIfPending();
        if ((uint)length > (uint)Length)
            throw new ArgumentOutOfRangeException(nameof(length), length, $"The sequence holds {Length} tokens; it can rewind to 0..{Length}.");
        Length = length;
    }

    /// <summary>A new sequence on the same model with a copy of this one's tokens and cache; the two share nothing mutable.</summary>
    public Sequence Fork()
    {
        ThrowIfDisposed();
        ThrowIfPending();
        Sequence copy = Model.CreateSequence(options with { ContextLength = Capacity, KvCacheType = Cache.Type });
        copy.Cache.CopyFrom(Cache, Length);
        Tokens.CopyTo(copy.tokens);
        copy.Length = Length;
        return copy;
    }

    /// <summary>
    /// llama.cpp's context shift: keeps the first <paramref name="keep"/> tokens, drops the <paramref name="discard"/> after
    /// them, and moves the rest down, re-rotating their cached keys to the new positions. The sequence then holds
    /// <c>Length - discard</c> tokens and can go on where it was.
    /// </summary>
    public void Shift(int keep, int discard)
    {
        ThrowIfDisposed();
        ThrowIfPending();
        if (keep < 0 || discard <= 0 || keep + discard > Length)
            throw new ArgumentOutOfRangeException(nameof(discard), discard,
                $"Cannot keep {keep} and discard {discard} of the {Length} tokens the sequence holds.");
        int moved = Length - keep - discard;
        if (moved > 0) Cache.Shift(keep + discard, keep, moved, Model.Rope, Model.Shape.HeadCountKv);
        Array.Copy(tokens, keep + discard, tokens, keep, moved);
        Length -= discard;
    }

    /// <summary>Writes the tokens and the cache (<see cref="SequenceStateFile"/>; a temporary file renamed at the end).</summary>
    public void Save(string path)
    {
        ThrowIfDisposed();
        ThrowIfPending();
        SequenceStateFile.Write(this, path);
    }

    /// <summary>A sequence on <paramref name="model"/> with the state <see cref="Save"/> wrote, checked against the model.</summary>
    public static Sequence Load(ILlamaModel model, string path, SequenceOptions? options = null) =>
        SequenceStateFile.Read(model, path, options ?? SequenceOptions.Default);

    /// <summary>Sets the held tokens after a state file filled the cache.</summary>
    internal void Restore(ReadOnlySpan<int> held)
    {
        held.CopyTo(tokens);
        Length = held.Length;
    }

    /// <summary>Records the token a decode step cached at <paramref name="position"/> (the next position).</summary>
    internal void Commit(int position, int token)
    {
        tokens[position] = token;
        Length = position + 1;
    }

    internal void ThrowIfDisposed()
    {
        if (disposed) throw new ObjectDisposedException(nameof(Sequence), "The sequence was disposed.");
    }

    private void ThrowIfPending()
    {
        if (Pending > 0) throw new InvalidOperationException($"The sequence has {Pending} token(s) waiting in a batch; decode or clear the batch first.");
    }

    /// <summary>Frees the KV cache.</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        Cache.Dispose();
    }
}
