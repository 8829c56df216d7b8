using System.Collections.Generic;

namespace LlamaGen.Generator.Model;

/// <summary>
/// What a spec implies for the emitted code: the matrices, which weight types each can use, the distinct
/// kernels, and buffer sizes. Derived deterministically from <see cref="ModelSpec"/>.
/// </summary>
internal sealed class ModelPlan
{
    /// <summary>
    /// The quantized kernels' input per 32 values (<c>ActivationQuantizer.KernelInputBlockBytes</c>): 32 signed bytes,
    /// the Q8_0 scale as a float and the sum of the 32 quants.
    /// </summary>
    public const int Q8BlockValues = 32;
    public const int Q8BlockBytes = 40;

    public ModelPlan(ModelSpec spec)
    {
        Spec = spec;
        int emb = spec.EmbeddingLength, kv = spec.KvDimension, ffn = spec.FeedForwardLength;
        Matrices = new[]
        {
            new MatrixRole("attn_q", "attentionQuery", emb, emb),
            new MatrixRole("attn_k", "attentionKey", kv, emb),
            new MatrixRole("attn_v", "attentionValue", kv, emb),
            new MatrixRole("attn_output", "attentionOutput", emb, emb),
            new MatrixRole("ffn_gate", "feedForwardGate", ffn, emb),
            new MatrixRole("ffn_down", "feedForwardDown", emb, ffn),
            new MatrixRole("ffn_up", "feedForwardUp", ffn, emb),
        };
        Classifier = new MatrixRole("output", "output", spec.VocabSize, emb);

        var kernels = new List<MatVecKernel>();
        var seen = new HashSet<MatVecKernel>();
        foreach (MatrixRole role in AllMatrices())
        {
            foreach (string type in TypesFor(role.Columns))
            {
                var kernel = new MatVecKernel(role.Rows, role.Columns, type);
                if (seen.Add(kernel)) kernels.Add(kernel);
            }
        }
        Kernels = kernels;

        int largestQuantizedColumns = 0;
        foreach (MatrixRole role in AllMatrices())
        {
            foreach (string type in TypesFor(role.Columns))
            {
                if (WeightTypes.UsesQuantizedActivation(type) && role.Columns > largestQuantizedColumns)
                    largestQuantizedColumns = role.Columns;
            }
        }
        QuantizedActivationBytes = largestQuantizedColumns / Q8BlockValues * Q8BlockBytes;

        int largestKColumns = 0;
        foreach (MatrixRole role in AllMatrices())
        {
            foreach (string type in TypesFor(role.Columns))
            {
                if (WeightTypes.UsesQ8KActivation(type) && role.Columns > largestKColumns) largestKColumns = role.Columns;
            }
        }
        Q8KActivationBytes = Emitters.KernelEmitter.KInputBytes(largestKColumns);
    }

    public ModelSpec Spec { get; }

    /// <summary>The per-block matrices in GGUF file order.</summary>
    public IReadOnlyList<MatrixRole> Matrices { get; }

    public MatrixRole Classifier { get; }

    /// <summary>Distinct (rows, columns, type) products, in first-use order.</summary>
    public IReadOnlyList<MatVecKernel> Kernels { get; }

    /// <summary>Size of the quantized activation buffer (kernel input); 0 when no quantized kernel exists.</summary>
    public int QuantizedActivationBytes { get; }

    /// <summary>Size of the Q8_K-quantized activation buffer (the K-quant kernels' input); 0 when no K-quant kernel exists.</summary>
    public int Q8KActivationBytes { get; }

    /// <summary>True when some type usable for <paramref name="columns"/> multiplies against a Q8_K activation.</summary>
    public bool NeedsQ8KActivation(int columns)
    {
        foreach (string type in TypesFor(columns))
        {
            if (WeightTypes.UsesQ8KActivation(type)) return true;
        }
        return false;
    }

    public IEnumerable<MatrixRole> AllMatrices()
    {
        foreach (MatrixRole role in Matrices) yield return role;
        yield return Classifier;
    }

    /// <summary>The spec's weight types that can store a row of <paramref name="columns"/> elements.</summary>
    public List<string> TypesFor(int columns)
    {
        var types = new List<string>();
        foreach (string type in Spec.WeightTypes)
        {
            if (columns % WeightTypes.BlockSize(type) == 0) types.Add(type);
        }
        return types;
    }

    /// <summary>True when some type usable for <paramref name="columns"/> multiplies against a Q8_0 activation.</summary>
    public bool NeedsQuantizedActivation(int columns)
    {
        foreach (string type in TypesFor(columns))
        {
            if (WeightTypes.UsesQuantizedActivation(type)) return true;
        }
        return false;
    }
}
