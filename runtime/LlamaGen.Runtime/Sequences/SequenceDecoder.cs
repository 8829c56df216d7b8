using LlamaGen.Models;
using LlamaGen.Threading;

namespace LlamaGen.Sequences;

/// <summary>
/// One sequence decoded on its own, with a batch of its own: the convenience over <see cref="DecodeBatch"/> for code that
/// runs one sequence (text generation, perplexity, tests). Prompts longer than the batch go through in chunks.
/// </summary>
public sealed class SequenceDecoder : IDisposable
{
    private readonly DecodeBatch batch;

    public SequenceDecoder(ILlamaModel model, SequenceOptions? options = null, WorkerPool? pool = null, int chunk = DecodeBatch.DefaultCapacity)
    {
        ArgumentNullException.ThrowIfNull(model);
        Model = model;
        Sequence = model.CreateSequence(options);
        try
        {
            batch = new DecodeBatch(model, chunk, pool);
        }
        catch
        {
            Sequence.Dispose();
            throw;
        }
    }

    public ILlamaModel Model { get; }

    public Sequence Sequence { get; }

    /// <summary>Tokens the sequence holds: the position of the next token.</summary>
    public int Length => Sequence.Length;

    /// <summary>
    /// Runs <paramref name="token"/> at <paramref name="position"/> and writes the next token's logits. A position before
    /// the sequence's end rewinds it there first (what is after it is forgotten); one past the end is an error.
    /// </summary>
    public void Forward(int token, int position, Span<float> logits)
    {
        MoveTo(position);
        batch.Clear();
        int row = batch.Add(Sequence, token);
        batch.Decode();
        CopyLogits(row, logits);
        batch.Clear();
    }

    /// <summary>Runs <paramref name="tokens"/> from <paramref name="startPosition"/> on (rewinding as <see cref="Forward"/> does) and writes the logits after the last.</summary>
    public void ForwardPrompt(ReadOnlySpan<int> tokens, int startPosition, Span<float> logits)
    {
        if (tokens.IsEmpty) throw new ArgumentException("The prompt chunk is empty.", nameof(tokens));
        MoveTo(startPosition);
        Append(tokens, logits);
    }

    /// <summary>Appends <paramref name="tokens"/> to the sequence in chunks of the batch's capacity; writes the logits after the last.</summary>
    public void Append(ReadOnlySpan<int> tokens, Span<float> logits)
    {
        if (tokens.IsEmpty) throw new ArgumentException("No tokens to append.", nameof(tokens));
        if (tokens.Length > Sequence.Remaining)
            throw new ArgumentOutOfRangeException(nameof(tokens), tokens.Length,
                $"{tokens.Length} tokens after the {Sequence.Length} held do not fit the sequence's {Sequence.Capacity} positions.");
        CheckLogits(logits);
        for (int done = 0; done < tokens.Length; done += batch.Capacity)
        {
            int count = Math.Min(batch.Capacity, tokens.Length - done);
            bool last = done + count == tokens.Length;
            batch.Clear();
            int row = batch.Add(Sequence, tokens.Slice(done, count), last ? BatchOutput.Logits : BatchOutput.None);
            batch.Decode();
            if (last) CopyLogits(row, logits);
        }
        batch.Clear();
    }

    /// <summary>
    /// Appends <paramref name="tokens"/> and writes the logits after every one of them (row i of <paramref name="logits"/>,
    /// VocabSize floats each): what perplexity scores.
    /// </summary>
    public void AppendAll(ReadOnlySpan<int> tokens, Span<float> logits)
    {
        int vocab = Model.Shape.VocabSize;
        if (logits.Length < (long)tokens.Length * vocab)
            throw new ArgumentException($"logits holds {logits.Length} floats; {tokens.Length} rows of {vocab} are needed.", nameof(logits));
        if (tokens.Length > Sequence.Remaining)
            throw new ArgumentOutOfRangeException(nameof(tokens), tokens.Length, $"{tokens.Length} tokens do not fit the {Sequence.Remaining} free positions.");
        for (int done = 0; done < tokens.Length; done += batch.Capacity)
        {
            int count = Math.Min(batch.Capacity, tokens.Length - done);
            batch.Clear();
            for (int i = 0; i < count; i++) batch.Add(Sequence, tokens[done + i], BatchOutput.Logits);
            batch.Decode();
            for (int i = 0; i < count; i++) batch.Logits(i).CopyTo(logits.Slice((done + i) * vocab, vocab));
        }
        batch.Clear();
    }

    private void MoveTo(int position)
    {
        if (position > Sequence.Length)
            throw new ArgumentOutOfRangeException(nameof(position), position,
                $"The sequence holds {Sequence.Length} tokens; the next one goes at position {Sequence.Length}, not {position}.");
        if (position < 0) throw new ArgumentOutOfRangeException(nameof(position), position, "Positions start at 0.");
        if (position < Sequence.Length) Sequence.Rewind(position);
    }

    private void CheckLogits(Span<float> logits)
    {
        if (logits.Length < Model.Shape.VocabSize)
            throw new ArgumentException($"logits has {logits.Length} elements; the model writes {Model.Shape.VocabSize}.", nameof(logits));
    }

    private void CopyLogits(int row, Span<float> logits)
    {
        CheckLogits(logits);
        batch.Logits(row).CopyTo(logits);
    }

    public void Dispose()
    {
        batch.Dispose();
        Sequence.Dispose();
    }
}
