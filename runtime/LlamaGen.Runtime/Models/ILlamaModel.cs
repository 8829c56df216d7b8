using LlamaGen.Kernels;

namespace LlamaGen.Models;

/// <summary>
/// A loaded model: weights bound from a GGUF file plus its own KV cache. Implemented by the classes the
/// generator emits for <see cref="LlamaModelAttribute"/>. Not thread-safe: one sequence at a time.
/// </summary>
public interface ILlamaModel : IDisposable
{
    ModelShape Shape { get; }

    /// <summary>The instruction set the model's kernels were bound for at load (<see cref="ModelLoadOptions.Isa"/>).</summary>
    KernelIsa Isa { get; }

    /// <summary>Runs one token at <paramref name="position"/> (0-based) and writes <c>VocabSize</c> logits.</summary>
    void Forward(int token, int position, Span<float> logits);

    /// <summary>
    /// Runs a prompt chunk at positions <paramref name="startPosition"/>.. and writes the logits of its last
    /// token. Fills the KV cache for every token of the chunk.
    /// </summary>
    void ForwardPrompt(ReadOnlySpan<int> tokens, int startPosition, Span<float> logits);
}
