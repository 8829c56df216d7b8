namespace LlamaGen.Inference;

/// <summary>Why a <see cref="GenerationRun"/> ended.</summary>
public enum StopReason
{
    /// <summary>The model produced an end-of-generation token (EOS, or an end-of-turn token such as <c>&lt;|eot_id|&gt;</c>),
    /// or BOS (which llama2.c also treats as the end of a story).</summary>
    EndOfSequence,

    /// <summary><see cref="GenerationOptions.MaxNewTokens"/> tokens were generated.</summary>
    MaxTokens,

    /// <summary>The last token generated sits at the model's context length: nothing can follow it.</summary>
    ContextFull,

    /// <summary>The text reached one of <see cref="GenerationOptions.StopStrings"/> (which is not emitted).</summary>
    StopString,

    /// <summary>The cancellation token was signalled; generation stopped between two tokens.</summary>
    Cancelled,
}
