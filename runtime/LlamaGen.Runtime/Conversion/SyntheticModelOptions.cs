namespace LlamaGen.Conversion;

/// <summary>
/// How a synthetic model departs from Llama 2's layout, for the files people download now: Llama 3.2 and SmolLM2 tie
/// the classifier to the token embedding (no <c>output.weight</c>), Llama 3.1/3.2 carry RoPE frequency factors
/// (<c>rope_freqs.weight</c>). Both extra tensors go after the others, so every other tensor holds the same values as in
/// the file without them (rows are seeded by the tensor's position).
/// </summary>
public sealed record SyntheticModelOptions
{
    /// <summary>Llama 2's layout: an untied classifier, no frequency factors.</summary>
    public static SyntheticModelOptions Default { get; } = new();

    /// <summary>Omit <c>output.weight</c>: llama.cpp and LlamaGen then use <c>token_embd.weight</c> as the classifier.</summary>
    public bool TiedEmbeddings { get; init; }

    /// <summary>Values of a <c>rope_freqs.weight</c> tensor (F32, head dimension / 2), e.g. <see cref="Llama3RopeScaling.Factors"/>; null for none.</summary>
    public IReadOnlyList<float>? RopeFrequencyFactors { get; init; }

    /// <summary>
    /// Linear RoPE scaling (position interpolation) by this factor: <c>llama.rope.scaling.type = "linear"</c> and
    /// <c>llama.rope.scaling.factor</c>, as llama.cpp's converter writes a Hugging Face <c>rope_scaling</c> of type linear;
    /// null for none.
    /// </summary>
    public float? LinearRopeScalingFactor { get; init; }
}
