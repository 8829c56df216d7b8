using System.Collections.Generic;
using LlamaGen.Generator.Helpers;
using LlamaGen.Generator.Shared;

namespace LlamaGen.Generator.Model;

/// <summary>
/// What a spec implies for the emitted code: the matrices, which weight types each can use, the kernels it needs,
/// and buffer sizes. Built once per model from its <see cref="ModelSpec"/> and handed to every emitter.
/// </summary>
internal sealed class ModelPlan
{
    public ModelPlan(ModelSpec spec)
    {
        Spec = spec;
        int emb = spec.EmbeddingLength, q = spec.QueryDimension, kv = spec.KvDimension, ffn = spec.FeedForwardLength;
        Matrices = new[]
        {
            new MatrixRole("attn_q", "attentionQuery", q, emb),
            new MatrixRole("attn_k", "attentionKey", kv, emb),
            new MatrixRole("attn_v", "attentionValue", kv, emb),
            new MatrixRole("attn_output", "attentionOutput", emb, q),
            new MatrixRole("ffn_gate", "feedForwardGate", ffn, emb),
            new MatrixRole("ffn_down", "feedForwardDown", emb, ffn),
            new MatrixRole("ffn_up", "feedForwardUp", ffn, emb),
        };
        Classifier = new MatrixRole("output", "output", spec.VocabSize, emb);

        var keys = new SortedSet<KernelKey>();
        int largestQ8_0 = 0, largestQ8_K = 0;
        foreach (MatrixRole role in AllMatrices())
        {
            foreach (GgmlType type in TypesFor(role.Columns))
            {
                keys.Add(new KernelKey(role.Columns, type));
                if (GgmlBlocks.IsLegacyQuant(type) && role.Columns > largestQ8_0) largestQ8_0 = role.Columns;
                if (GgmlBlocks.IsKQuant(type) && role.Columns > largestQ8_K) largestQ8_K = role.Columns;
            }
        }
        Kernels = keys.ToImmutableEquatableArray();
        Q8_0ActivationBytes = RepackedLayouts.Q8_0InputBytes(largestQ8_0);
        Q8_KActivationBytes = RepackedLayouts.Q8_KInputBytes(largestQ8_K);
    }

    public ModelSpec Spec { get; }

    /// <summary>The per-block matrices in GGUF file order.</summary>
    public IReadOnlyList<MatrixRole> Matrices { get; }

    public MatrixRole Classifier { get; }

    /// <summary>The distinct (columns, type) kernels the model's products need, sorted.</summary>
    public ImmutableEquatableArray<KernelKey> Kernels { get; }

    /// <summary>Size of the Q8_0 kernel input buffer (the widest product with 32-element blocks); 0 when none.</summary>
    public int Q8_0ActivationBytes { get; }

    /// <summary>Size of the Q8_K kernel input buffer (the widest K-quant product); 0 when none.</summary>
    public int Q8_KActivationBytes { get; }

    public IEnumerable<MatrixRole> AllMatrices()
    {
        foreach (MatrixRole role in Matrices) yield return role;
        yield return Classifier;
    }

    public MatrixRole Role(string tensor)
    {
        foreach (MatrixRole role in Matrices)
        {
            if (role.TensorName == tensor) return role;
        }
        throw new System.InvalidOperationException("No matrix role " + tensor);
    }

    /// <summary>The spec's weight types that can store a row of <paramref name="columns"/> elements (whole blocks).</summary>
    public List<GgmlType> TypesFor(int columns)
    {
        var types = new List<GgmlType>();
        foreach (GgmlType type in Spec.WeightTypes)
        {
            if (columns % GgmlBlocks.Of(type).Elements == 0) types.Add(type);
        }
        return types;
    }

    /// <summary>True when some type usable for <paramref name="columns"/> multiplies against a Q8_0 activation.</summary>
    public bool NeedsQ8_0Activation(int columns) => TypesFor(columns).Exists(GgmlBlocks.IsLegacyQuant);

    /// <summary>True when some type usable for <paramref name="columns"/> multiplies against a Q8_K activation.</summary>
    public bool NeedsQ8_KActivation(int columns) => TypesFor(columns).Exists(GgmlBlocks.IsKQuant);
}
