using LlamaGen.Compute;
using LlamaGen.Kernels;
using LlamaGen.Models;
using LlamaGen.Sequences;

namespace LlamaGen.Runtime.Tests.Inference;

/// <summary>
/// A test model that computes one token at a time (<see cref="Forward"/>): the base of the fakes and oracles the
/// generation tests run the real loop on. It implements the batch interface by running a batch's rows in order, and
/// counts the decode steps and how many rows each had.
/// </summary>
internal abstract class TokenByTokenModel : ILlamaModel
{
    private RopeTable? rope;

    public abstract ModelShape Shape { get; }

    public KernelIsa Isa => KernelIsa.Scalar;

    public RopeTable Rope => rope ??= new RopeTable(Shape.ContextLength, Shape.HeadDimension, Shape.RopeFreqBase);

    public bool IsDisposed { get; private set; }

    /// <summary>Rows of every decode step so far.</summary>
    public List<int> StepRows { get; } = [];

    /// <summary>Writes the logits after <paramref name="token"/> at <paramref name="position"/>.</summary>
    public abstract void Forward(int token, int position, Span<float> logits);

    public Sequence CreateSequence(SequenceOptions? options = null)
    {
        options ??= SequenceOptions.Default;
        var cache = new KvCache(1, options.ContextLength ?? Shape.ContextLength, 2, options.KvCacheType ?? KvCacheType.F32);
        return Sequence.Create(this, cache, options);
    }

    public ModelWorkspace CreateWorkspace(int rows) => new NoBuffers(rows);

    public unsafe void Decode(DecodeBatch batch)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        StepRows.Add(batch.Count);
        var logits = new float[Shape.VocabSize];
        int slot = 0;
        for (int row = 0; row < batch.Count; row++)
        {
            Forward(batch.TokenOf(row), batch.PositionOf(row), logits);
            if ((batch.OutputOf(row) & BatchOutput.Logits) != 0)
                logits.CopyTo(new Span<float>(batch.LogitsOf(slot++), Shape.VocabSize));
        }
        batch.Complete();
    }

    public void Dispose() => IsDisposed = true;

    private sealed class NoBuffers(int rows) : ModelWorkspace(rows)
    {
        protected override void Free() { }
    }
}
