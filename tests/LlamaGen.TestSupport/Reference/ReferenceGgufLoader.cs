using System.Buffers.Binary;
using LlamaGen.Gguf;
using LlamaGen.Quantization;

namespace LlamaGen.TestSupport.Reference;

/// <summary>
/// Builds <see cref="ReferenceLlamaWeights"/> from a GGUF file's F32/F16 tensors, so the scalar reference can check
/// models that exist only as GGUF (e.g. llama-2-tiny-random). Only <see cref="GgufFile"/>'s byte access is shared
/// with the runtime; the element decoding is done here with <see cref="BitConverter"/> and <see cref="Half"/>.
/// GGUF stores llama2.c's row-major out x in matrices with ne[0] = in, so no transposition is needed, and
/// llama.cpp's normal RoPE rotates adjacent pairs like run.c, so no Q/K permutation either.
/// </summary>
public static class ReferenceGgufLoader
{
    public static ReferenceLlamaWeights Load(GgufFile file)
    {
        int dim = UInt(file, "llama.embedding_length");
        int layers = UInt(file, "llama.block_count");
        int heads = UInt(file, "llama.attention.head_count");
        int kvHeads = file.TryGetValue("llama.attention.head_count_kv", out _) ? UInt(file, "llama.attention.head_count_kv") : heads;
        int hidden = UInt(file, "llama.feed_forward_length");
        int seqLen = UInt(file, "llama.context_length");
        float ropeBase = file.TryGetValue("llama.rope.freq_base", out _) ? file.GetFloat32("llama.rope.freq_base") : 10000f;
        float epsilon = file.GetFloat32("llama.attention.layer_norm_rms_epsilon");
        int kvDim = dim * kvHeads / heads;

        var tokenEmbedding = Matrix(file, "token_embd.weight", dim, rows: -1);
        int vocab = tokenEmbedding.Length / dim;

        float[] PerLayer(string suffix, int columns, int rows)
        {
            var all = new float[(long)layers * columns * rows];
            for (int l = 0; l < layers; l++)
                Matrix(file, $"blk.{l}.{suffix}", columns, rows).CopyTo(all, (long)l * columns * rows);
            return all;
        }

        return new ReferenceLlamaWeights
        {
            Dim = dim, HiddenDim = hidden, Layers = layers, Heads = heads, KvHeads = kvHeads, VocabSize = vocab, SeqLen = seqLen,
            RopeFreqBase = ropeBase, RmsEpsilon = epsilon,
            TokenEmbedding = tokenEmbedding,
            RmsAtt = PerLayer("attn_norm.weight", dim, 1),
            Wq = PerLayer("attn_q.weight", dim, dim),
            Wk = PerLayer("attn_k.weight", dim, kvDim),
            Wv = PerLayer("attn_v.weight", dim, kvDim),
            Wo = PerLayer("attn_output.weight", dim, dim),
            RmsFfn = PerLayer("ffn_norm.weight", dim, 1),
            W1 = PerLayer("ffn_gate.weight", dim, hidden),
            W2 = PerLayer("ffn_down.weight", hidden, dim),
            W3 = PerLayer("ffn_up.weight", dim, hidden),
            RmsFinal = Matrix(file, "output_norm.weight", dim, 1),
            // A missing output.weight means the classifier is tied to the token embedding (as llama.cpp does).
            Classifier = file.TryGetTensor("output.weight", out _) ? Matrix(file, "output.weight", dim, vocab) : tokenEmbedding,
        };
    }

    private static int UInt(GgufFile file, string key) => checked((int)file.GetUInt32(key));

    /// <summary>Reads a tensor of ne = [columns, rows] (rows = -1: any) as row-major floats.</summary>
    private static float[] Matrix(GgufFile file, string name, int columns, int rows)
    {
        if (!file.TryGetTensor(name, out var tensor))
            throw new InvalidDataException($"{file.Path}: tensor '{name}' is missing.");
        long[] ne = tensor.Dimensions;
        long actualRows = ne.Length > 1 ? ne[1] : 1;
        if (ne[0] != columns || (rows >= 0 && actualRows != rows) || ne.Skip(2).Any(d => d != 1))
            throw new InvalidDataException(
                $"{file.Path}: tensor '{name}' has shape [{string.Join(", ", ne)}], expected [{columns}, {(rows >= 0 ? rows : "n")}].");

        ReadOnlySpan<byte> bytes = file.GetTensorBytes(tensor);
        var values = new float[checked(columns * (int)actualRows)];
        switch (tensor.Type)
        {
            case GgmlType.F32:
                for (int i = 0; i < values.Length; i++)
                    values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(4 * i)..]);
                break;
            case GgmlType.F16:
                for (int i = 0; i < values.Length; i++)
                    values[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(bytes[(2 * i)..]);
                break;
            default:
                throw new NotSupportedException($"{file.Path}: tensor '{name}' is {tensor.Type}; the reference loader reads F32 and F16 only.");
        }
        return values;
    }
}
