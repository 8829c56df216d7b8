using System.Runtime.Intrinsics;

namespace LlamaGen.Compute;

/// <summary>
/// Rotary position embedding angles: for each position p and pair i of a head, cos and sin of
/// <c>p * base^(-2i / headDimension)</c>. Computed once per model class, then read by every forward pass.
/// The arithmetic is llama2.c's (float <c>powf</c>, then <c>pos * freq</c>), so rotations match its reference output.
/// Llama 3's frequency factors (the <c>rope_freqs.weight</c> tensor, see <see cref="Models.RopeFrequencyFactors"/>) divide each
/// pair's angle, as ggml's <c>ggml_rope_cache_init</c> divides <c>theta</c> by <c>freq_factors[i]</c>.
/// </summary>
public sealed unsafe class RopeTable
{
    private readonly float[] cos;
    private readonly float[] sin;
    // For the vectorized rotation, per position HeadDimension values: each pair's cos twice, and its sin as (-sin, +sin),
    // so a pair (v0, v1) becomes (v0, v1) * (cos, cos) + (v1, v0) * (-sin, sin) lane by lane.
    private readonly float[] pairCos;
    private readonly float[] pairSin;

    public RopeTable(int contextLength, int headDimension, float freqBase) : this(contextLength, headDimension, freqBase, null) { }

    /// <param name="frequencyFactors">Null, or one positive factor per pair (<c>headDimension / 2</c>) dividing its angle.</param>
    /// <param name="frequencyScale">Multiplies every angle after the factors (linear RoPE scaling: 1 / the file's factor, see
    /// <see cref="Models.RopeScaling"/>); 1 leaves them as they are.</param>
    public RopeTable(int contextLength, int headDimension, float freqBase, ReadOnlySpan<float> frequencyFactors, float frequencyScale = 1f)
    {
        if (!(frequencyScale > 0) || float.IsInfinity(frequencyScale))
            throw new ArgumentOutOfRangeException(nameof(frequencyScale), frequencyScale, "The RoPE frequency scale must be a positive finite number.");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(contextLength);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(headDimension);
        if (headDimension % 2 != 0) throw new ArgumentException($"RoPE rotates pairs; head dimension {headDimension} is odd.", nameof(headDimension));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(freqBase);
        ContextLength = contextLength;
        HeadDimension = headDimension;
        int pairs = headDimension / 2;
        bool scaled = !frequencyFactors.IsEmpty;
        if (scaled && frequencyFactors.Length != pairs)
            throw new ArgumentException($"RoPE frequency factors: {frequencyFactors.Length} given, the head dimension {headDimension} has {pairs} pairs.", nameof(frequencyFactors));
        foreach (float factor in frequencyFactors)
            if (!(factor > 0) || float.IsInfinity(factor))
                throw new ArgumentException($"RoPE frequency factor {factor} is not a positive finite number.", nameof(frequencyFactors));
        HasFrequencyFactors = scaled;
        FreqBase = freqBase;
        FrequencyScale = frequencyScale;
        // Pinned so the generated code can hold raw pointers into them.
        cos = GC.AllocateUninitializedArray<float>(checked(contextLength * pairs), pinned: true);
        sin = GC.AllocateUninitializedArray<float>(checked(contextLength * pairs), pinned: true);
        pairCos = GC.AllocateUninitializedArray<float>(checked(contextLength * headDimension), pinned: true);
        pairSin = GC.AllocateUninitializedArray<float>(checked(contextLength * headDimension), pinned: true);
        var frequencies = new float[pairs];
        for (int i = 0; i < pairs; i++) frequencies[i] = 1f / MathF.Pow(freqBase, 2 * i / (float)headDimension);
        for (int position = 0; position < contextLength; position++)
        {
            for (int i = 0; i < pairs; i++)
            {
                float angle = position * frequencies[i];
                // ggml divides the angle (theta_base * theta_scale^i) by the factor; dividing the product keeps the
                // unscaled table bit-identical to llama2.c's.
                if (scaled) angle /= frequencyFactors[i];
                // ggml's rope_yarn: theta_interp = freq_scale * theta_extrap (ext_factor 0, mscale 1 for linear scaling).
                if (frequencyScale != 1f) angle = frequencyScale * angle;
                float c = MathF.Cos(angle), s = MathF.Sin(angle);
                cos[position * pairs + i] = c;
                sin[position * pairs + i] = s;
                int at = position * headDimension + 2 * i;
                (pairCos[at], pairCos[at + 1]) = (c, c);
                (pairSin[at], pairSin[at + 1]) = (-s, s);
            }
        }
    }

    public int ContextLength { get; }
    public int HeadDimension { get; }
    public float FreqBase { get; }

    /// <summary>The factor every angle is multiplied by (linear RoPE scaling); 1 when the positions are not scaled.</summary>
    public float FrequencyScale { get; }

    /// <summary>Whether per-pair frequency factors (Llama 3's <c>rope_freqs.weight</c>) scale the angles.</summary>
    public bool HasFrequencyFactors { get; }

    /// <summary>The <c>HeadDimension / 2</c> cosines for <paramref name="position"/>.</summary>
    public float* Cos(int position) => Row(cos, position);

    /// <summary>The <c>HeadDimension / 2</c> sines for <paramref name="position"/>.</summary>
    public float* Sin(int position) => Row(sin, position);

    /// <summary>
    /// Rotates each adjacent pair (2i, 2i+1) of the <paramref name="headCount"/> heads at <paramref name="heads"/> by the
    /// angles of <paramref name="position"/> (llama2.c's and llama.cpp's normal RoPE):
    /// <c>(v0 cos - v1 sin, v0 sin + v1 cos)</c>. Two roundings per value, a product each and their sum, the same as
    /// the scalar formula (no fused multiply-add), so the result is bit-identical to it.
    /// </summary>
    public void Rotate(float* heads, int headCount, int position)
    {
        if (heads == null) throw new ArgumentNullException(nameof(heads));
        ArgumentOutOfRangeException.ThrowIfNegative(headCount);
        float* c = PairRow(pairCos, position);
        float* s = PairRow(pairSin, position);
        int dimension = HeadDimension;
        for (int head = 0; head < headCount; head++)
        {
            float* v = heads + (nint)head * dimension;
            int i = 0;
            if (Vector512.IsHardwareAccelerated)
            {
                for (; i <= dimension - 16; i += 16)
                {
                    Vector512<float> x = Vector512.Load(v + i);
                    Vector512<float> swapped = Vector512.Shuffle(x, Vector512.Create(1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10, 13, 12, 15, 14));
                    (x * Vector512.Load(c + i) + swapped * Vector512.Load(s + i)).Store(v + i);
                }
            }
            if (Vector256.IsHardwareAccelerated)
            {
                for (; i <= dimension - 8; i += 8)
                {
                    Vector256<float> x = Vector256.Load(v + i);
                    Vector256<float> swapped = Vector256.Shuffle(x, Vector256.Create(1, 0, 3, 2, 5, 4, 7, 6));
                    (x * Vector256.Load(c + i) + swapped * Vector256.Load(s + i)).Store(v + i);
                }
            }
            if (Vector128.IsHardwareAccelerated)
            {
                for (; i <= dimension - 4; i += 4)
                {
                    Vector128<float> x = Vector128.Load(v + i);
                    Vector128<float> swapped = Vector128.Shuffle(x, Vector128.Create(1, 0, 3, 2));
                    (x * Vector128.Load(c + i) + swapped * Vector128.Load(s + i)).Store(v + i);
                }
            }
            for (; i < dimension; i += 2)
            {
                float v0 = v[i], v1 = v[i + 1];
                v[i] = v0 * c[i] + v1 * s[i];
                v[i + 1] = v1 * c[i + 1] + v0 * s[i + 1];
            }
        }
    }

    /// <summary>
    /// Undoes <see cref="Rotate"/> by the angles of <paramref name="delta"/> positions: <c>(v0 cos + v1 sin, v1 cos - v0 sin)</c>.
    /// A key cached at position <c>p</c> then holds the rotation of position <c>p - delta</c> (llama.cpp's K-shift when the
    /// context is shifted), up to the float rounding of a second rotation.
    /// </summary>
    public void RotateBack(float* heads, int headCount, int delta)
    {
        if (heads == null) throw new ArgumentNullException(nameof(heads));
        ArgumentOutOfRangeException.ThrowIfNegative(headCount);
        float* c = Row(cos, delta);
        float* s = Row(sin, delta);
        int pairs = HeadDimension / 2;
        for (int head = 0; head < headCount; head++)
        {
            float* v = heads + (nint)head * HeadDimension;
            for (int i = 0; i < pairs; i++)
            {
                float v0 = v[2 * i], v1 = v[2 * i + 1];
                v[2 * i] = v0 * c[i] + v1 * s[i];
                v[2 * i + 1] = v1 * c[i] - v0 * s[i];
            }
        }
    }

    private float* PairRow(float[] table, int position)
    {
        if ((uint)position >= (uint)ContextLength)
            throw new ArgumentOutOfRangeException(nameof(position), position, $"RoPE table covers positions below {ContextLength}.");
        fixed (float* start = table) return start + (nint)position * HeadDimension;
    }

    private float* Row(float[] table, int position)
    {
        if ((uint)position >= (uint)ContextLength)
            throw new ArgumentOutOfRangeException(nameof(position), position, $"RoPE table covers positions below {ContextLength}.");
        // Pinned array: the address is stable for the table's lifetime.
        fixed (float* start = table) return start + position * (HeadDimension / 2);
    }
}
