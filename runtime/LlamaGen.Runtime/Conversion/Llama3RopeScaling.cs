namespace LlamaGen.Conversion;

/// <summary>
/// Llama 3.1's RoPE scaling (<c>rope_scaling.rope_type = "llama3"</c> in Hugging Face's config) as llama.cpp's
/// <c>convert_hf_to_gguf.py</c> turns it into the <c>rope_freqs.weight</c> tensor: one factor per rotated pair that
/// divides the pair's angle. Pairs whose wavelength is shorter than <c>original_context / high_frequency_factor</c> keep
/// factor 1, those longer than <c>original_context / low_frequency_factor</c> get <c>factor</c>, and the band between is
/// interpolated smoothly. Used to give synthetic Llama 3 models the tensor real Llama 3.1/3.2 files have.
/// </summary>
public static class Llama3RopeScaling
{
    /// <summary>Llama 3.1's and 3.2's published values (their <c>config.json</c>).</summary>
    public const float DefaultFactor = 8, DefaultLowFrequencyFactor = 1, DefaultHighFrequencyFactor = 4;

    /// <summary>Llama 3's training context, <c>original_max_position_embeddings</c>.</summary>
    public const int DefaultOriginalContext = 8192;

    /// <summary>The <c>headDimension / 2</c> factors for RoPE base <paramref name="freqBase"/>.</summary>
    public static float[] Factors(int headDimension, float freqBase, float factor = DefaultFactor, float lowFrequencyFactor = DefaultLowFrequencyFactor,
        float highFrequencyFactor = DefaultHighFrequencyFactor, int originalContext = DefaultOriginalContext)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(headDimension);
        if (headDimension % 2 != 0) throw new ArgumentException($"RoPE rotates pairs; head dimension {headDimension} is odd.", nameof(headDimension));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(freqBase);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(factor);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(originalContext);
        if (!(highFrequencyFactor > lowFrequencyFactor))
            throw new ArgumentException($"high_freq_factor {highFrequencyFactor} must exceed low_freq_factor {lowFrequencyFactor}.", nameof(highFrequencyFactor));

        float lowFrequencyWavelength = originalContext / lowFrequencyFactor;
        float highFrequencyWavelength = originalContext / highFrequencyFactor;
        var factors = new float[headDimension / 2];
        for (int i = 0; i < factors.Length; i++)
        {
            // The script's float32 torch arithmetic: freq = 1 / base^(2i / dim), wavelength = 2 pi / freq.
            float frequency = 1f / MathF.Pow(freqBase, 2 * i / (float)headDimension);
            float wavelength = 2 * MathF.PI / frequency;
            if (wavelength < highFrequencyWavelength) factors[i] = 1;
            else if (wavelength > lowFrequencyWavelength) factors[i] = factor;
            else
            {
                float smooth = (originalContext / wavelength - lowFrequencyFactor) / (highFrequencyFactor - lowFrequencyFactor);
                factors[i] = 1 / ((1 - smooth) / factor + smooth);
            }
        }
        return factors;
    }
}
