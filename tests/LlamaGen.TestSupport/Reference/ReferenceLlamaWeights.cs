using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace LlamaGen.TestSupport.Reference;

/// <summary>
/// The hyperparameters and float32 weights of a Llama model laid out as llama2.c's <c>TransformerWeights</c>:
/// every matrix row-major, out x in, layers concatenated. Loaded either straight from a llama2.c checkpoint
/// (independent of everything in the runtime) or from a GGUF file's F32/F16 tensors.
/// </summary>
public sealed class ReferenceLlamaWeights
{
    public required int Dim { get; init; }
    public required int HiddenDim { get; init; }
    public required int Layers { get; init; }
    public required int Heads { get; init; }
    public required int KvHeads { get; init; }
    public required int VocabSize { get; init; }
    public required int SeqLen { get; init; }
    /// <summary>run.c hardcodes 10000 and 1e-5; GGUF files state them.</summary>
    public float RopeFreqBase { get; init; } = 10000f;
    public float RmsEpsilon { get; init; } = 1e-5f;

    public required float[] TokenEmbedding { get; init; } // [vocab, dim]
    public required float[] RmsAtt { get; init; }         // [layers, dim]
    public required float[] Wq { get; init; }             // [layers, dim, dim]
    public required float[] Wk { get; init; }             // [layers, kv_dim, dim]
    public required float[] Wv { get; init; }             // [layers, kv_dim, dim]
    public required float[] Wo { get; init; }             // [layers, dim, dim]
    public required float[] RmsFfn { get; init; }         // [layers, dim]
    public required float[] W1 { get; init; }             // [layers, hidden, dim]  (gate)
    public required float[] W2 { get; init; }             // [layers, dim, hidden]  (down)
    public required float[] W3 { get; init; }             // [layers, hidden, dim]  (up)
    public required float[] RmsFinal { get; init; }       // [dim]
    public required float[] Classifier { get; init; }     // [vocab, dim]

    public int HeadSize => Dim / Heads;
    public int KvDim => Dim * KvHeads / Heads;

    /// <summary>
    /// Reads a llama2.c checkpoint: 7 little-endian int32 (dim, hidden_dim, n_layers, n_heads, n_kv_heads,
    /// vocab_size, seq_len; negative vocab_size = separate classifier), then the float32 arrays in run.c's order.
    /// </summary>
    public static ReferenceLlamaWeights LoadLlama2C(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        const int headerBytes = 7 * sizeof(int);
        if (bytes.Length < headerBytes)
            throw new InvalidDataException($"{path}: {bytes.Length} bytes, shorter than the 28-byte llama2.c header.");
        int Header(int i) => BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(i * 4));
        int dim = Header(0), hidden = Header(1), layers = Header(2), heads = Header(3), kvHeads = Header(4);
        int vocabField = Header(5), seqLen = Header(6);
        bool shared = vocabField > 0;
        int vocab = Math.Abs(vocabField);
        if (dim <= 0 || hidden <= 0 || layers <= 0 || heads <= 0 || kvHeads <= 0 || vocab == 0 || seqLen <= 0
            || dim % heads != 0 || heads % kvHeads != 0 || (dim / heads) % 2 != 0)
            throw new InvalidDataException(
                $"{path}: implausible header dim={dim} hidden={hidden} layers={layers} heads={heads} kv_heads={kvHeads} vocab={vocabField} seq_len={seqLen}.");

        int headSize = dim / heads, kvDim = dim * kvHeads / heads;
        float[] floats = MemoryMarshal.Cast<byte, float>(bytes.AsSpan(headerBytes)).ToArray();
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("llama2.c checkpoints are little-endian.");
        int offset = 0;
        float[] Take(long count, string what)
        {
            if (offset + count > floats.Length)
                throw new InvalidDataException(
                    $"{path}: {what} needs {count} floats at byte {headerBytes + 4L * offset}, but the file ends at byte {bytes.Length}.");
            float[] array = floats.AsSpan(offset, checked((int)count)).ToArray();
            offset += (int)count;
            return array;
        }

        var tokenEmbedding = Take((long)vocab * dim, "token_embedding_table");
        var rmsAtt = Take((long)layers * dim, "rms_att_weight");
        var wq = Take((long)layers * dim * dim, "wq");
        var wk = Take((long)layers * kvDim * dim, "wk");
        var wv = Take((long)layers * kvDim * dim, "wv");
        var wo = Take((long)layers * dim * dim, "wo");
        var rmsFfn = Take((long)layers * dim, "rms_ffn_weight");
        var w1 = Take((long)layers * hidden * dim, "w1");
        var w2 = Take((long)layers * dim * hidden, "w2");
        var w3 = Take((long)layers * hidden * dim, "w3");
        var rmsFinal = Take(dim, "rms_final_weight");
        Take((long)seqLen * headSize / 2, "freq_cis_real");  // legacy RoPE tables; run.c skips them too
        Take((long)seqLen * headSize / 2, "freq_cis_imag");
        var classifier = shared ? tokenEmbedding : Take((long)vocab * dim, "wcls");
        if (offset != floats.Length)
            throw new InvalidDataException(
                $"{path}: {4L * (floats.Length - offset)} bytes left over after the last tensor at byte {headerBytes + 4L * offset}.");

        return new ReferenceLlamaWeights
        {
            Dim = dim, HiddenDim = hidden, Layers = layers, Heads = heads, KvHeads = kvHeads, VocabSize = vocab, SeqLen = seqLen,
            TokenEmbedding = tokenEmbedding, RmsAtt = rmsAtt, Wq = wq, Wk = wk, Wv = wv, Wo = wo, RmsFfn = rmsFfn,
            W1 = w1, W2 = w2, W3 = w3, RmsFinal = rmsFinal, Classifier = classifier,
        };
    }
}
