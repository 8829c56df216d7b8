namespace LlamaGen.Inference;

/// <summary>A prompt (or a conversation, or an input to embed) does not fit the context: the message gives both counts.</summary>
public sealed class ContextLengthException : ArgumentException
{
    /// <param name="needsReply">Whether a generated token must fit after the tokens (a prompt) or not (an input to embed).</param>
    public ContextLengthException(int tokens, int contextLength, string what = "The prompt", bool needsReply = true)
        : base(needsReply
            ? $"{what} is {tokens} tokens long; the context holds {contextLength} positions, and a reply needs at least one more."
            : $"{what} is {tokens} tokens long; the context holds {contextLength} positions.")
    {
        Tokens = tokens;
        ContextLength = contextLength;
    }

    /// <summary>Tokens of the prompt or input.</summary>
    public int Tokens { get; }

    /// <summary>Positions the context holds.</summary>
    public int ContextLength { get; }
}
