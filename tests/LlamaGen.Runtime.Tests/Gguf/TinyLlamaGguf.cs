using LlamaGen.Gguf;
using LlamaGen.Quantization;
using LlamaGen.Models;

namespace LlamaGen.Runtime.Tests.Gguf;

/// <summary>
/// Writes small Llama-shaped GGUF files (zero weights) for binder and matcher tests, and the slot list a generated
/// model would use for a shape (llama.cpp tensor names, GGUF dims: columns = ne[0], rows = ne[1]).
/// </summary>
public static class TinyLlamaGguf
{
    public static ModelShape Shape(GgmlType matrixType = GgmlType.F32) =>
        new("tiny", EmbeddingLength: 32, BlockCount: 2, HeadCount: 4, HeadCountKv: 2, FeedForwardLength: 64,
            VocabSize: 8, ContextLength: 16, RopeFreqBase: 10000f, RmsEpsilon: 1e-5f, WeightTypes: [matrixType]);

    public static TensorSlot[] Slots(ModelShape s)
    {
        var slots = new List<TensorSlot> { new("token_embd.weight", s.EmbeddingLength, s.VocabSize) };
        for (int b = 0; b < s.BlockCount; b++)
        {
            slots.Add(new($"blk.{b}.attn_norm.weight", s.EmbeddingLength, 1));
            slots.Add(new($"blk.{b}.attn_q.weight", s.EmbeddingLength, s.EmbeddingLength));
            slots.Add(new($"blk.{b}.attn_k.weight", s.EmbeddingLength, s.KvDimension));
            slots.Add(new($"blk.{b}.attn_v.weight", s.EmbeddingLength, s.KvDimension));
            slots.Add(new($"blk.{b}.attn_output.weight", s.EmbeddingLength, s.EmbeddingLength));
            slots.Add(new($"blk.{b}.ffn_norm.weight", s.EmbeddingLength, 1));
            slots.Add(new($"blk.{b}.ffn_gate.weight", s.EmbeddingLength, s.FeedForwardLength));
            slots.Add(new($"blk.{b}.ffn_down.weight", s.FeedForwardLength, s.EmbeddingLength));
            slots.Add(new($"blk.{b}.ffn_up.weight", s.EmbeddingLength, s.FeedForwardLength));
        }
        slots.Add(new("output_norm.weight", s.EmbeddingLength, 1));
        slots.Add(new("output.weight", s.EmbeddingLength, s.VocabSize, FallbackName: "token_embd.weight"));
        return [.. slots];
    }

    /// <param name="edit">Changes the tensor list before writing (name, dims, type): drop, reshape or retype entries.</param>
    /// <param name="metadata">Changes metadata before writing; a null value removes the key.</param>
    public static GgufTestFile Write(ModelShape s, GgmlType matrixType,
        Func<List<(string Name, long[] Dims, GgmlType Type)>, List<(string Name, long[] Dims, GgmlType Type)>>? edit = null,
        Action<Dictionary<string, GgufValue?>>? metadata = null, bool withOutput = false)
    {
        var keys = new Dictionary<string, GgufValue?>
        {
            ["general.architecture"] = GgufValue.Of("llama"),
            ["general.name"] = GgufValue.Of(s.Name),
            ["llama.context_length"] = GgufValue.Of((uint)s.ContextLength),
            ["llama.embedding_length"] = GgufValue.Of((uint)s.EmbeddingLength),
            ["llama.block_count"] = GgufValue.Of((uint)s.BlockCount),
            ["llama.feed_forward_length"] = GgufValue.Of((uint)s.FeedForwardLength),
            ["llama.rope.dimension_count"] = GgufValue.Of((uint)s.HeadDimension),
            ["llama.rope.freq_base"] = GgufValue.Of(s.RopeFreqBase),
            ["llama.attention.head_count"] = GgufValue.Of((uint)s.HeadCount),
            ["llama.attention.head_count_kv"] = GgufValue.Of((uint)s.HeadCountKv),
            ["llama.attention.layer_norm_rms_epsilon"] = GgufValue.Of(s.RmsEpsilon),
            ["tokenizer.ggml.model"] = GgufValue.Of("llama"),
            ["tokenizer.ggml.tokens"] = GgufValue.Of(Enumerable.Range(0, s.VocabSize).Select(i => $"t{i}").ToArray()),
        };
        metadata?.Invoke(keys);

        var tensors = Slots(s)
            .Where(slot => withOutput || slot.Name != "output.weight")
            .Select(slot => (slot.Name, Dims: slot.Rows == 1 ? new[] { slot.Columns } : new[] { slot.Columns, slot.Rows },
                             Type: slot.Rows == 1 ? GgmlType.F32 : matrixType))
            .ToList();
        if (edit is not null) tensors = edit(tensors);

        return GgufTestFile.Write(w =>
        {
            foreach (var (key, value) in keys)
                if (value is not null) w.AddMetadata(key, value);
            var declared = tensors.Select(t => w.AddTensor(t.Name, t.Dims, t.Type)).ToList();
            foreach (var t in declared) w.WriteTensorData(new byte[t.ByteLength]);
        });
    }
}
