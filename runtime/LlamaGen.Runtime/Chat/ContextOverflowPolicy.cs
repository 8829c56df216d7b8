namespace LlamaGen.Chat;

/// <summary>What a <see cref="ChatSession"/> does when the conversation no longer fits the context.</summary>
public enum ContextOverflowPolicy
{
    /// <summary>Refuse the turn with a <see cref="Inference.ContextLengthException"/> giving the token counts; a reply that fills the context ends with "length".</summary>
    Error,

    /// <summary>Leave the oldest turns out of the prompt (the system prompt stays) until the conversation and room for a reply fit.</summary>
    DropOldestTurns,

    /// <summary>
    /// llama.cpp's context shift: keep the first tokens (the system prompt), drop half of the rest, re-rotate the cached
    /// keys and go on, during a reply as well as before one. The dropped tokens are gone from the model's view.
    /// </summary>
    ShiftContext,
}
