using LlamaGen.Gguf;
using LlamaGen.Quantization;

namespace LlamaGen.Models;

/// <summary>Reads a <see cref="ModelShape"/> from a GGUF file's <c>llama.*</c> metadata and tensor table.</summary>
public static class ModelShapeReader
{
    /// <summary>llama.cpp's defaults when the file omits the key.</summary>
    public const float DefaultRopeFreqBase = 10000f;

    /// <summary>
    /// The file's hyperparameters. Missing or malformed keys throw <see cref="GgufFormatException"/>; files that are
    /// valid but not a model LlamaGen can run (another architecture, partial rotary) throw <see cref="ModelMismatchException"/>.
    /// <see cref="ModelShape.WeightTypes"/> are the distinct types of the file's matrices (tensors of 2 or more dimensions).
    /// </summary>
    public static ModelShape FromGguf(GgufFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        string architecture = file.GetString("general.architecture");
        if (architecture != "llama")
            throw new ModelMismatchException(file.Path, null,
                $"{file.Path}: general.architecture is '{architecture}'; LlamaGen runs 'llama' models only.");

        int embedding = Positive(file, "llama.embedding_length");
        int blocks = Positive(file, "llama.block_count");
        int heads = Positive(file, "llama.attention.head_count");
        int kvHeads = file.ContainsKey("llama.attention.head_count_kv") ? Positive(file, "llama.attention.head_count_kv") : heads;
        int feedForward = Positive(file, "llama.feed_forward_length");
        int context = Positive(file, "llama.context_length");
        float ropeBase = file.TryGetFloat32("llama.rope.freq_base", out float b) ? b : DefaultRopeFreqBase;
        float epsilon = file.GetFloat32("llama.attention.layer_norm_rms_epsilon");

        // llama.cpp's n_embd_head_k/v: stated by Llama 3 and Mistral converters, needed where the heads are not
        // embedding_length / head_count wide (Mistral Nemo, Mistral Small).
        int keyLength = file.ContainsKey("llama.attention.key_length") ? Positive(file, "llama.attention.key_length") : 0;
        int valueLength = file.ContainsKey("llama.attention.value_length") ? Positive(file, "llama.attention.value_length") : 0;
        if (keyLength == 0 && embedding % heads != 0)
            throw file.ValueError("llama.attention.head_count", $"embedding_length {embedding} is not a multiple of head_count {heads}");
        if (heads % kvHeads != 0)
            throw file.ValueError("llama.attention.head_count_kv", $"head_count {heads} is not a multiple of head_count_kv {kvHeads}");
        if (!(ropeBase > 0) || float.IsInfinity(ropeBase))
            throw file.ValueError("llama.rope.freq_base", $"{ropeBase} is not a positive number");
        if (!(epsilon > 0) || float.IsInfinity(epsilon))
            throw file.ValueError("llama.attention.layer_norm_rms_epsilon", $"{epsilon} is not a positive number");

        int headDimension = keyLength != 0 ? keyLength : embedding / heads;
        // A value head of another width than the key head (DeepSeek's MLA) is not a Llama model.
        if (valueLength != 0 && valueLength != headDimension)
            throw new ModelMismatchException(file.Path, null,
                $"{file.Path}: llama.attention.value_length is {valueLength} but the key head size is {headDimension}; " +
                "LlamaGen runs models whose key and value heads have the same size.");
        if (headDimension % 2 != 0)
            throw file.ValueError(keyLength != 0 ? "llama.attention.key_length" : "llama.attention.head_count",
                $"the head size {headDimension} is odd; rotary position embedding rotates pairs");
        // llama.cpp refuses a Llama file whose n_rot is not the head size as well.
        if (file.TryGetUInt32("llama.rope.dimension_count", out uint ropeDimensions) && ropeDimensions != headDimension)
            throw new ModelMismatchException(file.Path, null,
                $"{file.Path}: llama.rope.dimension_count is {ropeDimensions} but the head size is {headDimension}; " +
                "partial rotary embeddings are not supported.");

        int vocab;
        if (file.TryGetStringArray("tokenizer.ggml.tokens", out var tokens)) vocab = tokens.Length;
        else if (file.TryGetTensor("token_embd.weight", out var embeddingTensor) && embeddingTensor.Dimensions.Length == 2
                 && embeddingTensor.Dimensions[1] <= int.MaxValue)
            vocab = (int)embeddingTensor.Dimensions[1];
        else
            throw new ModelMismatchException(file.Path, "token_embd.weight",
                $"{file.Path}: cannot tell the vocabulary size: neither tokenizer.ggml.tokens nor a 2-D token_embd.weight is present.");

        var weightTypes = file.Tensors.Where(t => t.Dimensions.Length >= 2).Select(t => t.Type).Distinct().Order().ToArray();
        string name = file.TryGetString("general.name", out var n) && n.Length > 0 ? n : Path.GetFileNameWithoutExtension(file.Path);
        return new ModelShape(name, embedding, blocks, heads, kvHeads, feedForward, vocab, context, ropeBase, epsilon, weightTypes)
        {
            HeadDimension = headDimension,
        };
    }

    private static int Positive(GgufFile file, string key)
    {
        uint value = file.GetUInt32(key);
        if (value is 0 or > int.MaxValue) throw file.ValueError(key, $"{value} is not a positive 32-bit count");
        return (int)value;
    }
}
