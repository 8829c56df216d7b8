using System.Globalization;
using System.Text;
using LlamaGen.Gguf;
using LlamaGen.Quantization;
using LlamaGen.Specs;

namespace LlamaGen.Models;

/// <summary>Picks the compiled model whose spec fits a GGUF file.</summary>
public static class ModelCatalog
{
    /// <summary>Relative tolerance for the float hyperparameters (a spec's decimal text vs the file's float32).</summary>
    private const double RelativeTolerance = 1e-6;

    /// <summary>
    /// The first descriptor whose shape matches the file: every dimension and the vocabulary equal, the spec's context
    /// length at most the file's, RoPE base and RMS epsilon equal within 1e-6 relative, and every matrix type of the file
    /// among the spec's weight types. Throws <see cref="ModelMismatchException"/> listing the file's shape, why each compiled spec
    /// differs, and how to add a spec for the file.
    /// </summary>
    public static ModelDescriptor Match(GgufFile file, IReadOnlyList<ModelDescriptor> descriptors)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(descriptors);
        var shape = ModelShapeReader.FromGguf(file);
        var reasons = new List<string>();
        foreach (var descriptor in descriptors)
        {
            string? difference = FirstDifference(shape, descriptor.Shape);
            if (difference is null) return descriptor;
            reasons.Add($"  {descriptor.TypeName} ({descriptor.SpecPath}): {difference}");
        }

        var message = new StringBuilder();
        message.Append(file.Path).Append(": no compiled model matches this file.\n");
        message.Append("The file: ").Append(Describe(shape)).Append('\n');
        if (reasons.Count == 0) message.Append("No models are compiled into this program.\n");
        else
        {
            message.Append("Compiled models:\n");
            foreach (var reason in reasons) message.Append(reason).Append('\n');
        }
        string specName = SpecJsonWriter.SafeName(shape.Name);
        message.Append("To add one: llamagen spec from-gguf --model ").Append(file.Path).Append(" > specs/").Append(specName).Append(".json, ")
               .Append("then add [LlamaModel(\"specs/").Append(specName).Append(".json\")] public partial class ").Append(SpecJsonWriter.TypeName(specName))
               .Append("; to runtime/LlamaGen.Catalog and rebuild.");
        throw new ModelMismatchException(file.Path, null, message.ToString());
    }

    /// <summary>
    /// The first field in which a spec cannot run the file, as "field: file X, spec Y", or null when it can.
    /// <paramref name="file"/>'s weight types must all be in <paramref name="spec"/>'s (the spec may have more).
    /// </summary>
    public static string? FirstDifference(ModelShape file, ModelShape spec)
    {
        static string? Int(string field, int f, int s) => f == s ? null : $"{field}: file {f}, spec {s}";
        static string? Float(string field, float f, float s) =>
            Math.Abs((double)f - s) <= RelativeTolerance * Math.Max(Math.Abs((double)f), Math.Abs((double)s))
                ? null
                : $"{field}: file {f.ToString("R", CultureInfo.InvariantCulture)}, spec {s.ToString("R", CultureInfo.InvariantCulture)}";

        // A spec may hold fewer positions than the file was trained for (llama.cpp's n_ctx below n_ctx_train): Llama 3.1's
        // 131072 would need a KV cache beyond int indexing and gigabytes per sequence, so its spec compiles 8192.
        static string? Context(int f, int s) =>
            s <= f ? null : $"context_length: file {f}, spec {s} (a spec may have a shorter context than the file, not a longer one)";

        var difference = Int("embedding_length", file.EmbeddingLength, spec.EmbeddingLength)
            ?? Int("block_count", file.BlockCount, spec.BlockCount)
            ?? Int("attention.head_count", file.HeadCount, spec.HeadCount)
            ?? Int("attention.head_count_kv", file.HeadCountKv, spec.HeadCountKv)
            ?? Int("attention.key_length", file.HeadDimension, spec.HeadDimension)
            ?? Int("feed_forward_length", file.FeedForwardLength, spec.FeedForwardLength)
            ?? Int("vocab_size", file.VocabSize, spec.VocabSize)
            ?? Context(file.ContextLength, spec.ContextLength)
            ?? Float("rope.freq_base", file.RopeFreqBase, spec.RopeFreqBase)
            ?? Float("attention.layer_norm_rms_epsilon", file.RmsEpsilon, spec.RmsEpsilon);
        if (difference is not null) return difference;

        var missing = file.WeightTypes.Where(t => !spec.WeightTypes.Contains(t)).ToArray();
        return missing.Length == 0
            ? null
            : $"weight_types: the file has {string.Join(", ", missing.Select(GgmlTypeInfo.Name))} tensors, the spec compiles " +
              $"{string.Join(", ", spec.WeightTypes.Select(GgmlTypeInfo.Name))}";
    }

    /// <summary>One line describing a shape with the spec's field names.</summary>
    public static string Describe(ModelShape shape) =>
        string.Create(CultureInfo.InvariantCulture,
            $"name {shape.Name}, embedding_length {shape.EmbeddingLength}, block_count {shape.BlockCount}, " +
            $"attention.head_count {shape.HeadCount}, attention.head_count_kv {shape.HeadCountKv}, " +
            $"{(!shape.HasStatedHeadDimension ? "" : "attention.key_length " + shape.HeadDimension.ToString(CultureInfo.InvariantCulture) + ", ")}" +
            $"feed_forward_length {shape.FeedForwardLength}, vocab_size {shape.VocabSize}, context_length {shape.ContextLength}, " +
            $"rope.freq_base {shape.RopeFreqBase:R}, attention.layer_norm_rms_epsilon {shape.RmsEpsilon:R}, " +
            $"weight types {string.Join(", ", shape.WeightTypes.Select(GgmlTypeInfo.Name))}");
}
