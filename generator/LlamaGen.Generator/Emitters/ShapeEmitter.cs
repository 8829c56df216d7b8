using LlamaGen.Generator.Helpers;
using LlamaGen.Generator.Model;
using LlamaGen.Generator.Shared;

namespace LlamaGen.Generator.Emitters;

/// <summary>Emits <c>{Class}.Shape.g.cs</c>: the hyperparameters as constants and as a <c>ModelShape</c>.</summary>
internal static class ShapeEmitter
{
    public static string Emit(ModelTarget target, ModelPlan plan)
    {
        ModelSpec spec = plan.Spec;
        SourceWriter w = GeneratedFile.Open(target, target.SpecPath);
        string name = GeneratedFile.Xml(spec.Name);
        w.Line("/// <summary>");
        w.Line($"/// The <c>{name}</c> model with every dimension fixed at build time (spec <c>{GeneratedFile.Xml(target.SpecPath)}</c>).");
        w.Line("/// Load weights with <see cref=\"Load(global::LlamaGen.Gguf.GgufFile)\"/>; the loaded model is shared by any number of sequences.");
        w.Line("/// </summary>");
        w.Line("/// <remarks>");
        w.Line($"/// {spec.BlockCount} transformer {Plural(spec.BlockCount, "block")} of width {spec.EmbeddingLength}. " +
               $"{spec.HeadCount} query {Plural(spec.HeadCount, "head")} of {spec.HeadDimension} dimensions " +
               (spec.GroupSize == 1 ? "each have their own key/value head (no grouped-query attention)." : $"share {spec.HeadCountKv} key/value {Plural(spec.HeadCountKv, "head")}"));
        if (spec.GroupSize > 1) w.Line($"/// (grouped-query attention, {spec.GroupSize} query heads per key/value head).");
        w.Line($"/// Feed-forward hidden size {spec.FeedForwardLength}, vocabulary {spec.VocabSize} tokens, context {spec.ContextLength} positions.");
        w.Line($"/// Kernels are generated for {GeneratedFile.Xml(string.Join(", ", System.Linq.Enumerable.Select(spec.WeightTypes, GgmlBlocks.Name)))} weights.");
        w.Line("/// The generated members are split by concern: <c>Shape</c> (these constants), <c>Weights</c> (tensor slots and binding),");
        w.Line("/// <c>Forward</c> (sequences, the workspace, the decode step); the matrix kernels are shared by every model of the compilation (<c>LlamaGen.Generated</c>).");
        w.Line("/// </remarks>");
        w.Open(GeneratedFile.ClassHeader(target, " : " + GeneratedFile.Models + "ILlamaModel"));

        w.Line("/// <summary>The model's name in the spec.</summary>");
        w.Line("public const string ModelName = " + GeneratedFile.Literal(spec.Name) + ";");
        w.Line("/// <summary>The spec path given to <c>[LlamaModel]</c>.</summary>");
        w.Line("public const string SpecPath = " + GeneratedFile.Literal(target.SpecPath) + ";");
        Constant(w, "EmbeddingLength", spec.EmbeddingLength, "Model dimension (GGUF <c>llama.embedding_length</c>).");
        Constant(w, "BlockCount", spec.BlockCount, "Number of transformer blocks (GGUF <c>llama.block_count</c>).");
        Constant(w, "HeadCount", spec.HeadCount, "Query heads (GGUF <c>llama.attention.head_count</c>).");
        Constant(w, "HeadCountKv", spec.HeadCountKv, "Key/value heads (GGUF <c>llama.attention.head_count_kv</c>).");
        Constant(w, "HeadDimension", spec.HeadDimension, spec.HasStatedHeadDimension
            ? "Dimensions per head (GGUF <c>llama.attention.key_length</c>; not <see cref=\"EmbeddingLength\"/> / <see cref=\"HeadCount\"/>)."
            : "Dimensions per head: <see cref=\"EmbeddingLength\"/> / <see cref=\"HeadCount\"/>.");
        Constant(w, "QueryDimension", spec.QueryDimension, "Width of a query row and of the attention output: <see cref=\"HeadDimension\"/> x <see cref=\"HeadCount\"/>.");
        Constant(w, "GroupSize", spec.GroupSize, "Query heads sharing one key/value head (grouped-query attention).");
        Constant(w, "KvDimension", spec.KvDimension, "Width of a key or value row: <see cref=\"HeadDimension\"/> x <see cref=\"HeadCountKv\"/>.");
        Constant(w, "FeedForwardLength", spec.FeedForwardLength, "Hidden size of the feed-forward block (GGUF <c>llama.feed_forward_length</c>).");
        Constant(w, "VocabSize", spec.VocabSize, "Tokens in the vocabulary; the length of the logits.");
        Constant(w, "ContextLength", spec.ContextLength, "Maximum sequence length (GGUF <c>llama.context_length</c>).");
        w.Line("/// <summary>RoPE frequency base (GGUF <c>llama.rope.freq_base</c>).</summary>");
        w.Line("public const float RopeFreqBase = " + GeneratedFile.FloatLiteral(spec.RopeFreqBase) + ";");
        w.Line("/// <summary>RMSNorm epsilon (GGUF <c>llama.attention.layer_norm_rms_epsilon</c>).</summary>");
        w.Line("public const float RmsEpsilon = " + GeneratedFile.FloatLiteral(spec.RmsEpsilon) + ";");
        w.Line();

        w.Line("/// <summary>The shape this class was generated for, to check GGUF files against.</summary>");
        w.Line("public static " + GeneratedFile.Models + "ModelShape Spec { get; } = new " + GeneratedFile.Models + "ModelShape(");
        w.Line("    ModelName, EmbeddingLength, BlockCount, HeadCount, HeadCountKv, FeedForwardLength, VocabSize, ContextLength,");
        w.Line("    RopeFreqBase, RmsEpsilon,");
        var types = new System.Text.StringBuilder();
        foreach (GgmlType type in spec.WeightTypes)
        {
            if (types.Length > 0) types.Append(", ");
            types.Append(GeneratedFile.Quantization).Append("GgmlType.").Append(type.ToString());
        }
        w.Line("    new " + GeneratedFile.Quantization + "GgmlType[] { " + types + " })" + (spec.HasStatedHeadDimension ? " { HeadDimension = HeadDimension };" : ";"));
        w.Line();
        w.Line("/// <inheritdoc/>");
        w.Line("public " + GeneratedFile.Models + "ModelShape Shape => Spec;");
        w.Close();
        return GeneratedFile.Close(w, target);
    }

    private static string Plural(int count, string noun) => count == 1 ? noun : noun + "s";

    private static void Constant(SourceWriter w, string name, int value, string doc)
    {
        w.Line("/// <summary>" + doc + "</summary>");
        w.Line("public const int " + name + " = " + value.ToString(System.Globalization.CultureInfo.InvariantCulture) + ";");
    }
}
