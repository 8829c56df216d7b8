using LlamaGen.Sequences;

namespace LlamaGen.Inference;

/// <summary>
/// One generation for an <see cref="InferenceEngine"/>: the prompt's tokens, how to generate, and the sequence to decode
/// into. With a <see cref="Sequence"/> of the caller's (a conversation's), only the prompt tokens after what the sequence
/// already holds are evaluated, and the sequence keeps the prompt and the reply for the next turn; without one the
/// engine takes one of its slots, the idle one sharing the longest prefix with the prompt.
/// </summary>
public sealed record GenerationRequest(IReadOnlyList<int> PromptTokens, GenerationOptions Options)
{
    /// <summary>The sequence to decode into (it must belong to the engine's model and not be in use elsewhere); null: a slot of the engine's.</summary>
    public Sequence? Sequence { get; init; }

    /// <summary>
    /// When set, a reply that fills the context shifts it as llama.cpp does (keep this many first tokens, drop half of the
    /// rest, re-rotate the cached keys) and goes on; when null it ends with <see cref="StopReason.ContextFull"/>.
    /// </summary>
    public int? ContextShiftKeep { get; init; }
}
