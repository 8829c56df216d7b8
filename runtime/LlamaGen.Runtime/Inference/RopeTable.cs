namespace LlamaGen.Inference;

/// <summary>
/// Rotary position embedding angles: for each position p and pair i of a head, cos and sin of
/// <c>p * base^(-2i / headDimension)</c>. Computed once per model class, then read by every forward pass.
/// The arithmetic is llama2.c's (float <c>powf</c>, then <c>pos * freq</c>), so rotations match its reference output.
/// </summary>
public sealed unsafe class RopeTable
{
    private readonly float[] cos;
    private readonly float[] sin;

    public RopeTable(int contextLength, int headDimension, float freqBase)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(contextLength);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(headDimension);
        if (headDimension % 2 != 0) throw new ArgumentException($"RoPE rotates pairs; head dimension {headDimension} is odd.", nameof(headDimension));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(freqBase);
        ContextLength = contextLength;
        HeadDimension = headDimension;
        int pairs = headDimension / 2;
        // Pinned so the generated code can hold raw pointers into them.
        cos = GC.AllocateUninitializedArray<float>(checked(contextLength * pairs), pinned: true);
        sin = GC.AllocateUninitializedArray<float>(checked(contextLength * pairs), pinned: true);
        var frequencies = new float[pairs];
        for (int i = 0; i < pairs; i++) frequencies[i] = 1f / MathF.Pow(freqBase, 2 * i / (float)headDimension);
        for (int position = 0; position < contextLength; position++)
        {
            for (int i = 0; i < pairs; i++)
            {
                float angle = position * frequencies[i];
                cos[position * pairs + i] = MathF.Cos(angle);
                sin[position * pairs + i] = MathF.Sin(angle);
            }
        }
    }

    public int ContextLength { get; }
    public int HeadDimension { get; }

    /// <summary>The <c>HeadDimension / 2</c> cosines for <paramref name="position"/>.</summary>
    public float* Cos(int position) => Row(cos, position);

    /// <summary>The <c>HeadDimension / 2</c> sines for <paramref name="position"/>.</summary>
    public float* Sin(int position) => Row(sin, position);

    private float* Row(float[] table, int position)
    {
        if ((uint)position >= (uint)ContextLength)
            throw new ArgumentOutOfRangeException(nameof(position), position, $"RoPE table covers positions below {ContextLength}.");
        // Pinned array: the address is stable for the table's lifetime.
        fixed (float* start = table) return start + position * (HeadDimension / 2);
    }
}
