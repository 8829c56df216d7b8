namespace LlamaGen.Sampling;

/// <summary>
/// How the next token is chosen from the logits. The defaults leave every filter off and sample from the
/// plain softmax at temperature 1; <see cref="Greedy"/> picks the most likely token.
/// The filters run in llama.cpp's order: the penalties (repetition, frequency, presence), top-k, top-p, min-p,
/// temperature, then a draw.
/// </summary>
public sealed record SamplerOptions
{
    /// <summary>Divides the logits before the draw. 0 means greedy (argmax, lowest id on ties).</summary>
    public float Temperature { get; init; } = 1.0f;

    /// <summary>Keeps the <c>TopK</c> most likely tokens; 0 turns the filter off.</summary>
    public int TopK { get; init; }

    /// <summary>Keeps the smallest set of most likely tokens whose probabilities sum to at least <c>TopP</c>; 1 is off.</summary>
    public float TopP { get; init; } = 1.0f;

    /// <summary>Drops tokens whose probability is below <c>MinP</c> times the most likely token's; 0 is off.</summary>
    public float MinP { get; init; }

    /// <summary>
    /// Penalises tokens seen in the last <see cref="RepetitionWindow"/> tokens: positive logits are divided by it,
    /// negative ones multiplied (so a penalty always makes the token less likely). 1 is off.
    /// </summary>
    public float RepetitionPenalty { get; init; } = 1.0f;

    /// <summary>How many of the most recent tokens the repetition, frequency and presence penalties look at.</summary>
    public int RepetitionWindow { get; init; } = 64;

    /// <summary>
    /// Subtracted from a token's logit once per occurrence in the window (OpenAI's <c>frequency_penalty</c>, llama.cpp's
    /// <c>penalty_freq</c>); 0 is off, negative values favour repetition.
    /// </summary>
    public float FrequencyPenalty { get; init; }

    /// <summary>Subtracted from the logit of every token that occurs in the window (OpenAI's <c>presence_penalty</c>); 0 is off.</summary>
    public float PresencePenalty { get; init; }

    /// <summary>Seed of the random draw; null picks a fresh random seed (see <see cref="Sampler.Seed"/>).</summary>
    public ulong? Seed { get; init; }

    /// <summary>Argmax decoding: what llama2.c does at temperature 0.</summary>
    public static SamplerOptions Greedy { get; } = new() { Temperature = 0 };

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first option that is out of range.</summary>
    public void Validate()
    {
        if (!(Temperature >= 0) || float.IsInfinity(Temperature))
            throw new ArgumentOutOfRangeException(nameof(Temperature), Temperature,
                "Temperature must be a finite number >= 0 (0 means greedy).");
        if (TopK < 0)
            throw new ArgumentOutOfRangeException(nameof(TopK), TopK, "TopK must be >= 0 (0 turns top-k off).");
        if (!(TopP > 0 && TopP <= 1))
            throw new ArgumentOutOfRangeException(nameof(TopP), TopP, "TopP must be in (0, 1] (1 turns top-p off).");
        if (!(MinP >= 0 && MinP <= 1))
            throw new ArgumentOutOfRangeException(nameof(MinP), MinP, "MinP must be in [0, 1] (0 turns min-p off).");
        if (!(RepetitionPenalty > 0) || float.IsInfinity(RepetitionPenalty))
            throw new ArgumentOutOfRangeException(nameof(RepetitionPenalty), RepetitionPenalty,
                "RepetitionPenalty must be a finite number > 0 (1 turns the penalty off).");
        if (!float.IsFinite(FrequencyPenalty))
            throw new ArgumentOutOfRangeException(nameof(FrequencyPenalty), FrequencyPenalty, "FrequencyPenalty must be a finite number (0 turns it off).");
        if (!float.IsFinite(PresencePenalty))
            throw new ArgumentOutOfRangeException(nameof(PresencePenalty), PresencePenalty, "PresencePenalty must be a finite number (0 turns it off).");
        if (RepetitionWindow < 0)
            throw new ArgumentOutOfRangeException(nameof(RepetitionWindow), RepetitionWindow,
                "RepetitionWindow must be >= 0 (the number of recent tokens the penalty looks at).");
    }
}
