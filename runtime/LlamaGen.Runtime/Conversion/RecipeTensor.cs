using LlamaGen.Quantization;

namespace LlamaGen.Conversion;

/// <summary>A tensor as the quantization recipe sees it: name, GGUF dimensions (row length first) and current type.</summary>
public sealed record RecipeTensor(string Name, long[] Dimensions, GgmlType Type)
{
    /// <summary>ggml's <c>ggml_n_dims</c>: the dimension count without trailing dimensions of 1 (at least 1).</summary>
    public int DimensionCount
    {
        get
        {
            int n = Dimensions.Length;
            while (n > 1 && Dimensions[n - 1] == 1) n--;
            return n;
        }
    }
}
