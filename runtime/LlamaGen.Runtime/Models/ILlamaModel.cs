using LlamaGen.Compute;
using LlamaGen.Kernels;
using LlamaGen.Sequences;

namespace LlamaGen.Models;

/// <summary>
/// A loaded model: the weights bound from a GGUF file, immutable and shared. Implemented by the classes the generator
/// emits for <see cref="LlamaModelAttribute"/>. State lives elsewhere: each <see cref="Sequence"/> owns its KV cache, each
/// <see cref="DecodeBatch"/> its activation buffers. <see cref="Decode"/> may run concurrently from several threads with
/// different batches over disjoint sequences.
/// </summary>
public interface ILlamaModel : IDisposable
{
    ModelShape Shape { get; }

    /// <summary>The instruction set the model's kernels were bound for at load (<see cref="ModelLoadOptions.Isa"/>).</summary>
    KernelIsa Isa { get; }

    /// <summary>The rotary-embedding angles of every position (shared; also what a context shift re-rotates keys with).</summary>
    RopeTable Rope { get; }

    /// <summary>True once the model is disposed: its sequences can no longer decode.</summary>
    bool IsDisposed { get; }

    /// <summary>A new, empty sequence with its own KV cache.</summary>
    Sequence CreateSequence(SequenceOptions? options = null);

    /// <summary>The activation buffers for decoding up to <paramref name="rows"/> tokens at once (what a <see cref="DecodeBatch"/> holds).</summary>
    ModelWorkspace CreateWorkspace(int rows);

    /// <summary>
    /// Decodes every row of <paramref name="batch"/>: each token at its position in its sequence, one batched product per
    /// weight matrix for all rows; fills the rows' outputs and appends the tokens to their sequences.
    /// </summary>
    void Decode(DecodeBatch batch);
}
