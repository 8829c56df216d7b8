using LlamaGen.Sampling;

namespace LlamaGen.Inference;

/// <summary>What to generate and when to stop.</summary>
public sealed record GenerationOptions
{
    /// <summary>At most this many tokens are generated (a final EOS/BOS is not counted). 0 evaluates the prompt only.</summary>
    public int MaxNewTokens { get; init; } = 256;

    public SamplerOptions Sampling { get; init; } = new();

    /// <summary>
    /// Generation stops when the text contains one of these; the stop string and anything after it are not emitted.
    /// Text that could be the start of a stop string is held back until it is known not to be.
    /// </summary>
    public IReadOnlyList<string> StopStrings { get; init; } = [];

    /// <summary>Whether to put BOS before the prompt; null follows the tokenizer (<c>tokenizer.ggml.add_bos_token</c>).</summary>
    public bool? AddBos { get; init; }

    /// <summary>Recognise control-token texts such as <c>&lt;s&gt;</c> in the prompt.</summary>
    public bool ParseSpecialTokens { get; init; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/>/<see cref="ArgumentException"/> naming the bad option.</summary>
    public void Validate()
    {
        if (MaxNewTokens < 0)
            throw new ArgumentOutOfRangeException(nameof(MaxNewTokens), MaxNewTokens, "MaxNewTokens must be >= 0.");
        ArgumentNullException.ThrowIfNull(Sampling, nameof(Sampling));
        Sampling.Validate();
        ArgumentNullException.ThrowIfNull(StopStrings, nameof(StopStrings));
        for (int i = 0; i < StopStrings.Count; i++)
        {
            if (string.IsNullOrEmpty(StopStrings[i]))
                throw new ArgumentException($"StopStrings[{i}] is empty; an empty stop string would stop before the first token.", nameof(StopStrings));
        }
    }
}
