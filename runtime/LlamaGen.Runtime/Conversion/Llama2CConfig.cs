using System.Buffers.Binary;

namespace LlamaGen.Conversion;

/// <summary>
/// The header of a llama2.c checkpoint (run.c <c>Config</c>: seven little-endian int32) and the layout of the
/// float32 arrays that follow it, validated against the file's size.
/// </summary>
internal sealed record Llama2CConfig(
    int Dim, int HiddenDim, int Layers, int Heads, int KvHeads, int VocabSize, int MaxSeqLen, bool SharedClassifier)
{
    public const int HeaderBytes = 7 * sizeof(int);

    public int HeadSize => Dim / Heads;
    public int KvDim => HeadSize * KvHeads;

    /// <summary>Reads and checks the header; the file must be exactly as long as the header implies.</summary>
    public static Llama2CConfig Read(string path, Stream stream)
    {
        long length = stream.Length;
        if (length < HeaderBytes)
            throw new Llama2CFormatException(path, "header", 0, $"the file is {length} bytes, shorter than the {HeaderBytes}-byte llama2.c header");
        var header = new byte[HeaderBytes];
        stream.Position = 0;
        stream.ReadExactly(header);
        int Field(int i) => BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(4 * i));

        // llama2.c's export.py "version 1/2" files start with the magic "ak42"; run.c reads only the legacy format.
        if (Field(0) == 0x616b3432)
            throw new Llama2CFormatException(path, "header", 0,
                "this is a llama2.c version 1/2 export (magic \"ak42\"); only the legacy (version 0) checkpoint that run.c reads is supported");

        string[] names = ["dim", "hidden_dim", "n_layers", "n_heads", "n_kv_heads", "vocab_size", "seq_len"];
        for (int i = 0; i < names.Length; i++)
        {
            // A negative vocab_size is the flag for a separate classifier; its magnitude must still be positive.
            bool ok = i == 5 ? Field(i) != 0 && Field(i) != int.MinValue : Field(i) > 0;
            if (!ok)
                throw new Llama2CFormatException(path, names[i], 4 * i, $"{names[i]} is {Field(i)}; it must be positive");
        }

        var config = new Llama2CConfig(Field(0), Field(1), Field(2), Field(3), Field(4), Math.Abs(Field(5)), Field(6), SharedClassifier: Field(5) > 0);
        if (config.Dim % config.Heads != 0)
            throw new Llama2CFormatException(path, "n_heads", 12, $"dim {config.Dim} is not a multiple of n_heads {config.Heads}");
        if (config.Heads % config.KvHeads != 0)
            throw new Llama2CFormatException(path, "n_kv_heads", 16, $"n_heads {config.Heads} is not a multiple of n_kv_heads {config.KvHeads}");
        if (config.HeadSize % 2 != 0)
            throw new Llama2CFormatException(path, "n_heads", 12, $"head size {config.HeadSize} is odd; RoPE rotates pairs");

        long expected;
        try
        {
            expected = checked(HeaderBytes + 4 * config.FloatCount());
        }
        catch (OverflowException)
        {
            throw new Llama2CFormatException(path, "header", 0, "the dimensions imply a file larger than 2^63 bytes");
        }
        if (length != expected)
            throw new Llama2CFormatException(path, "weights", Math.Min(length, expected),
                $"the header implies {expected} bytes ({(config.SharedClassifier ? "shared" : "separate")} classifier) but the file is {length} bytes{(length < expected ? " (truncated?)" : "")}");
        return config;
    }

    /// <summary>Number of float32 values after the header, in run.c's <c>memory_map_weights</c> order.</summary>
    private long FloatCount()
    {
        long l = Layers, d = Dim, kv = KvDim, h = HiddenDim, v = VocabSize;
        return checked(
            v * d                       // token_embedding_table
            + l * d                     // rms_att_weight
            + l * d * d                 // wq
            + 2 * l * kv * d            // wk, wv
            + l * d * d                 // wo
            + l * d                     // rms_ffn_weight
            + 3 * l * h * d             // w1, w2, w3
            + d                         // rms_final_weight
            + (long)MaxSeqLen * HeadSize // freq_cis_real and freq_cis_imag, seq_len x head_size/2 each (unused)
            + (SharedClassifier ? 0 : v * d));
    }
}
