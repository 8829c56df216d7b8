using System.ComponentModel;
using System.Runtime.InteropServices;
using LlamaGen.Models;
using LlamaGen.Threading;

namespace LlamaGen.Sequences;

/// <summary>
/// One decode step for any number of sequences of one model: rows of (sequence, token), each token at its sequence's
/// next position, decoded together as one batched product per weight matrix (llama.cpp's <c>llama_batch</c>). Prompt
/// chunks of one sequence and single tokens of others share a step. The rows' logits (or final hidden states) stay
/// readable until <see cref="Clear"/>. The batch owns its buffers and is reused step after step: adding, decoding and
/// clearing allocate nothing. Not thread-safe; two threads decode with two batches (and disjoint sequences).
/// </summary>
public sealed unsafe class DecodeBatch : IDisposable
{
    /// <summary>Rows of a batch made without a capacity: a 64-token prompt chunk's activations stay in L2/L3.</summary>
    public const int DefaultCapacity = 64;

    private readonly Sequence[] sequences;
    private readonly int[] tokens;
    private readonly int[] positions;
    private readonly BatchOutput[] outputs;
    // Rows that leave logits (or embeddings) get consecutive slots, so the classifier writes all of them in one product.
    private readonly int[] logitSlot;
    private readonly int[] logitRow;
    private readonly int[] embeddingSlot;
    private readonly int[] embeddingRow;
    private float* logits;
    private float* embeddings;
    private bool decoded;

    public DecodeBatch(ILlamaModel model, int capacity = DefaultCapacity, WorkerPool? pool = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        Model = model;
        Capacity = capacity;
        Pool = pool;
        sequences = new Sequence[capacity];
        tokens = new int[capacity];
        positions = new int[capacity];
        outputs = new BatchOutput[capacity];
        logitSlot = new int[capacity];
        logitRow = new int[capacity];
        embeddingSlot = new int[capacity];
        embeddingRow = new int[capacity];
        Workspace = model.CreateWorkspace(capacity);
        logits = (float*)NativeMemory.AlignedAlloc((nuint)((long)capacity * model.Shape.VocabSize * sizeof(float)), 64);
        embeddings = (float*)NativeMemory.AlignedAlloc((nuint)((long)capacity * model.Shape.EmbeddingLength * sizeof(float)), 64);
    }

    public ILlamaModel Model { get; }

    public int Capacity { get; }

    /// <summary>Rows added since the last <see cref="Clear"/>.</summary>
    public int Count { get; private set; }

    /// <summary>Rows (tokens) this batch has had the model decode, over every <see cref="Decode"/> so far.</summary>
    public long RowsDecoded { get; private set; }

    /// <summary>Rows that leave logits.</summary>
    public int LogitCount { get; private set; }

    /// <summary>Rows that leave their final hidden state.</summary>
    public int EmbeddingCount { get; private set; }

    /// <summary>Splits the large products over its threads; null computes on the calling thread. The caller owns it.</summary>
    public WorkerPool? Pool { get; }

    /// <summary>The model's buffers for <see cref="Capacity"/> rows.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public ModelWorkspace Workspace { get; }

    /// <summary>
    /// Adds <paramref name="token"/> for <paramref name="sequence"/> at its next position (after the tokens it holds and
    /// those already in this batch); returns the row. <paramref name="output"/> says what the row leaves after decoding.
    /// </summary>
    public int Add(Sequence sequence, int token, BatchOutput output = BatchOutput.Logits)
    {
        ArgumentNullException.ThrowIfNull(sequence);
        sequence.ThrowIfDisposed();
        if (decoded) throw new InvalidOperationException("The batch was decoded: read its outputs, then Clear() it before adding rows.");
        if (Count == Capacity) throw new InvalidOperationException($"The batch is full ({Capacity} rows).");
        if (!ReferenceEquals(sequence.Model, Model)) throw new ArgumentException("The sequence belongs to another model.", nameof(sequence));
        if (sequence.PendingBatch is { } other && !ReferenceEquals(other, this))
            throw new InvalidOperationException("The sequence has tokens waiting in another batch.");
        if ((uint)token >= (uint)Model.Shape.VocabSize)
            throw new ArgumentOutOfRangeException(nameof(token), token, $"Token ids must be in [0, {Model.Shape.VocabSize}).");
        int position = sequence.Length + sequence.Pending;
        if (position >= sequence.Capacity)
            throw new InvalidOperationException(
                $"The sequence is full: it holds {sequence.Length} tokens{(sequence.Pending > 0 ? $" and {sequence.Pending} wait in this batch" : "")}, its capacity is {sequence.Capacity}.");
        int row = Count++;
        sequences[row] = sequence;
        tokens[row] = token;
        positions[row] = position;
        outputs[row] = output;
        if ((output & BatchOutput.Logits) != 0)
        {
            logitSlot[row] = LogitCount;
            logitRow[LogitCount++] = row;
        }
        if ((output & BatchOutput.Embedding) != 0)
        {
            embeddingSlot[row] = EmbeddingCount;
            embeddingRow[EmbeddingCount++] = row;
        }
        sequence.PendingBatch = this;
        sequence.Pending++;
        return row;
    }

    /// <summary>Adds <paramref name="tokens"/> for <paramref name="sequence"/>; the last row leaves <paramref name="lastOutput"/>. Returns the last row.</summary>
    public int Add(Sequence sequence, ReadOnlySpan<int> tokens, BatchOutput lastOutput = BatchOutput.Logits)
    {
        if (tokens.IsEmpty) throw new ArgumentException("No tokens to add.", nameof(tokens));
        if (tokens.Length > Capacity - Count) throw new InvalidOperationException($"{tokens.Length} tokens do not fit the {Capacity - Count} free rows of the batch.");
        int row = -1;
        for (int i = 0; i < tokens.Length; i++) row = Add(sequence, tokens[i], i == tokens.Length - 1 ? lastOutput : BatchOutput.None);
        return row;
    }

    /// <summary>Runs the model on every row; afterwards each sequence holds its rows' tokens.</summary>
    public void Decode()
    {
        if (decoded) throw new InvalidOperationException("The batch was decoded already; Clear() it and add new rows.");
        if (Count == 0) return;
        try
        {
            Model.Decode(this);
            RowsDecoded += Count;
        }
        catch
        {
            // The sequences keep what they held; this step's rows are dropped.
            Clear();
            throw;
        }
    }

    /// <summary>The logits the row left (<see cref="BatchOutput.Logits"/>), until <see cref="Clear"/>.</summary>
    public ReadOnlySpan<float> Logits(int row)
    {
        CheckOutput(row, BatchOutput.Logits);
        return new ReadOnlySpan<float>(logits + (long)logitSlot[row] * Model.Shape.VocabSize, Model.Shape.VocabSize);
    }

    /// <summary>The final hidden state the row left (<see cref="BatchOutput.Embedding"/>), until <see cref="Clear"/>.</summary>
    public ReadOnlySpan<float> Embedding(int row)
    {
        CheckOutput(row, BatchOutput.Embedding);
        return new ReadOnlySpan<float>(embeddings + (long)embeddingSlot[row] * Model.Shape.EmbeddingLength, Model.Shape.EmbeddingLength);
    }

    /// <summary>Empties the batch; sequences with rows still waiting (a batch not decoded) keep only what they held.</summary>
    public void Clear()
    {
        for (int row = 0; row < Count; row++)
        {
            Sequence sequence = sequences[row];
            sequence.Pending = 0;
            sequence.PendingBatch = null;
            sequences[row] = null!;
        }
        Count = 0;
        LogitCount = 0;
        EmbeddingCount = 0;
        decoded = false;
    }

    // ---- for the generated models' Decode ----

    [EditorBrowsable(EditorBrowsableState.Never)]
    public Sequence SequenceOf(int row) => sequences[row];

    [EditorBrowsable(EditorBrowsableState.Never)]
    public int TokenOf(int row) => tokens[row];

    [EditorBrowsable(EditorBrowsableState.Never)]
    public int PositionOf(int row) => positions[row];

    [EditorBrowsable(EditorBrowsableState.Never)]
    public BatchOutput OutputOf(int row) => outputs[row];

    /// <summary>The row of logit slot <paramref name="slot"/> (slots are consecutive: the classifier writes them in one product).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public int LogitRowOf(int slot) => logitRow[slot];

    /// <summary>Where logit slot <paramref name="slot"/> goes (VocabSize floats; the slots follow each other).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public float* LogitsOf(int slot) => logits + (long)slot * Model.Shape.VocabSize;

    /// <summary>The row of embedding slot <paramref name="slot"/>.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public int EmbeddingRowOf(int slot) => embeddingRow[slot];

    /// <summary>Where embedding slot <paramref name="slot"/> goes (EmbeddingLength floats).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public float* EmbeddingOf(int slot) => embeddings + (long)slot * Model.Shape.EmbeddingLength;

    /// <summary>Called by the model once every row is decoded: the sequences now hold the rows' tokens.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public void Complete()
    {
        for (int row = 0; row < Count; row++)
        {
            Sequence sequence = sequences[row];
            sequence.Commit(positions[row], tokens[row]);
            sequence.Pending = 0;
            sequence.PendingBatch = null;
        }
        decoded = true;
    }

    private void CheckOutput(int row, BatchOutput wanted)
    {
        if (!decoded) throw new InvalidOperationException("The batch has not been decoded.");
        if ((uint)row >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(row), row, $"The batch has {Count} rows.");
        if ((outputs[row] & wanted) == 0) throw new InvalidOperationException($"Row {row} was added with output {outputs[row]}, not {wanted}.");
    }

    public void Dispose()
    {
        Clear();
        Workspace.Dispose();
        Free();
        GC.SuppressFinalize(this);
    }

    ~DecodeBatch() => Free();

    private void Free()
    {
        NativeMemory.AlignedFree(logits);
        NativeMemory.AlignedFree(embeddings);
        logits = null;
        embeddings = null;
    }
}
