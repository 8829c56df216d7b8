namespace LlamaGen.Chat;

/// <summary>How a <see cref="ChatSession"/> builds its prompts and what it does when the context is full.</summary>
public sealed record ChatSessionOptions
{
    /// <summary>What happens when the conversation does not fit (the default refuses the turn with the token counts).</summary>
    public ContextOverflowPolicy OverflowPolicy { get; init; } = ContextOverflowPolicy.Error;

    /// <summary>
    /// Positions kept free for the reply when turns are dropped or the context shifted; null: the reply's token limit,
    /// at most a quarter of the context.
    /// </summary>
    public int? ReplyReserve { get; init; }

    /// <summary>Leading tokens a context shift keeps; null: the system prompt's (as the template renders it, BOS included).</summary>
    public int? ShiftKeep { get; init; }

    /// <summary>More variables for the template, and its clock.</summary>
    public ChatPromptOptions? Prompt { get; init; }

    public void Validate()
    {
        if (!Enum.IsDefined(OverflowPolicy)) throw new ArgumentOutOfRangeException(nameof(OverflowPolicy), OverflowPolicy, "Unknown overflow policy.");
        if (ReplyReserve is < 1) throw new ArgumentOutOfRangeException(nameof(ReplyReserve), ReplyReserve, "ReplyReserve must be >= 1.");
        if (ShiftKeep is < 0) throw new ArgumentOutOfRangeException(nameof(ShiftKeep), ShiftKeep, "ShiftKeep must be >= 0.");
    }
}
