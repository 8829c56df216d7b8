using System.Buffers.Binary;
using System.Text;
using LlamaGen.Gguf;
using LlamaGen.Quantization;

namespace LlamaGen.Conversion;

/// <summary>
/// Converts a llama2.c checkpoint (<c>run.c</c> legacy format) and its tokenizer into a GGUF v3 file that
/// llama.cpp and this runtime load: <c>llama.*</c> hyperparameters, the SentencePiece vocabulary as
/// <c>tokenizer.ggml.*</c>, and the float32 weights under llama.cpp's tensor names.
/// </summary>
public static class Llama2CConverter
{
    /// <summary>run.c's RMSNorm epsilon and RoPE base, which the checkpoint does not store.</summary>
    private const float RmsEpsilon = 1e-5f, RopeFreqBase = 10000f;

    private const int CopyChunkBytes = 1 << 20;

    /// <summary>
    /// Writes <paramref name="outputPath"/> (through a temporary file in the same folder, renamed on success, so a
    /// failed conversion never leaves a partial model behind). Throws <see cref="Llama2CFormatException"/> for a
    /// malformed checkpoint or tokenizer.
    /// </summary>
    /// <param name="name">The model's <c>general.name</c>; defaults to the checkpoint's file name without extension.</param>
    public static void Convert(string modelPath, string tokenizerPath, string outputPath, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(modelPath);
        ArgumentNullException.ThrowIfNull(tokenizerPath);
        ArgumentNullException.ThrowIfNull(outputPath);

        using var model = new FileStream(modelPath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
        var config = Llama2CConfig.Read(modelPath, model);
        var vocabulary = ReadTokenizer(tokenizerPath, config.VocabSize);

        string fullOutput = Path.GetFullPath(outputPath);
        string temporary = Path.Combine(Path.GetDirectoryName(fullOutput)!, $".{Path.GetFileName(fullOutput)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var output = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
            {
                Write(output, config, vocabulary, model, name ?? Path.GetFileNameWithoutExtension(modelPath));
            }
            File.Move(temporary, fullOutput, overwrite: true);
        }
        catch
        {
            try { File.Delete(temporary); } catch (IOException) { }
            throw;
        }
    }

    private static void Write(Stream output, Llama2CConfig config, Vocabulary vocabulary, FileStream model, string name)
    {
        var writer = new GgufWriter(output);
        writer.AddMetadata("general.architecture", "llama")
              .AddMetadata("general.name", name)
              .AddMetadata("general.file_type", 0u) // all tensors F32
              .AddMetadata("llama.context_length", (uint)config.MaxSeqLen)
              .AddMetadata("llama.embedding_length", (uint)config.Dim)
              .AddMetadata("llama.block_count", (uint)config.Layers)
              .AddMetadata("llama.feed_forward_length", (uint)config.HiddenDim)
              .AddMetadata("llama.rope.dimension_count", (uint)config.HeadSize)
              .AddMetadata("llama.rope.freq_base", RopeFreqBase)
              .AddMetadata("llama.attention.head_count", (uint)config.Heads)
              .AddMetadata("llama.attention.head_count_kv", (uint)config.KvHeads)
              .AddMetadata("llama.attention.layer_norm_rms_epsilon", RmsEpsilon)
              .AddMetadata("tokenizer.ggml.model", "llama")
              .AddMetadata("tokenizer.ggml.tokens", GgufValue.Of(vocabulary.Pieces))
              .AddMetadata("tokenizer.ggml.scores", GgufValue.Of(vocabulary.Scores))
              .AddMetadata("tokenizer.ggml.token_type", GgufValue.Of(vocabulary.Types))
              .AddMetadata("tokenizer.ggml.bos_token_id", 1u)
              .AddMetadata("tokenizer.ggml.eos_token_id", 2u)
              .AddMetadata("tokenizer.ggml.unknown_token_id", 0u)
              .AddMetadata("tokenizer.ggml.add_bos_token", true)
              .AddMetadata("tokenizer.ggml.add_eos_token", false);

        var sources = new List<long>();
        foreach (var (tensorName, dims, sourceOffset) in TensorLayout(config))
        {
            writer.AddTensor(tensorName, dims, GgmlType.F32);
            sources.Add(sourceOffset);
        }

        // llama2.c groups each weight kind over all layers, GGUF lists tensors block by block: copy each from its offset.
        var buffer = new byte[CopyChunkBytes];
        for (int i = 0; i < writer.Tensors.Count; i++)
        {
            long remaining = writer.Tensors[i].ByteLength;
            model.Position = sources[i];
            while (remaining > 0)
            {
                int n = (int)Math.Min(remaining, buffer.Length);
                model.ReadExactly(buffer, 0, n); // the size was checked against the header, so this cannot run short
                writer.WriteTensorData(buffer.AsSpan(0, n));
                remaining -= n;
            }
        }
        writer.Finish();
    }

    /// <summary>GGUF tensors in llama.cpp's order with GGUF dimensions (ne[0] = the row length) and their byte offset in the checkpoint.</summary>
    private static IEnumerable<(string Name, long[] Dims, long SourceOffset)> TensorLayout(Llama2CConfig c)
    {
        long d = c.Dim, kv = c.KvDim, h = c.HiddenDim, v = c.VocabSize, layers = c.Layers;
        // Start of each array in run.c's memory_map_weights order, in floats after the header.
        long embedding = 0;
        long rmsAtt = embedding + v * d;
        long wq = rmsAtt + layers * d;
        long wk = wq + layers * d * d;
        long wv = wk + layers * kv * d;
        long wo = wv + layers * kv * d;
        long rmsFfn = wo + layers * d * d;
        long w1 = rmsFfn + layers * d;
        long w2 = w1 + layers * h * d;
        long w3 = w2 + layers * d * h;
        long rmsFinal = w3 + layers * h * d;
        long freqCis = rmsFinal + d;
        long classifier = freqCis + (long)c.MaxSeqLen * c.HeadSize;

        static long Bytes(long floats) => Llama2CConfig.HeaderBytes + 4 * floats;

        yield return ("token_embd.weight", [d, v], Bytes(embedding));
        for (long l = 0; l < layers; l++)
        {
            yield return ($"blk.{l}.attn_norm.weight", [d], Bytes(rmsAtt + l * d));
            yield return ($"blk.{l}.attn_q.weight", [d, d], Bytes(wq + l * d * d));
            yield return ($"blk.{l}.attn_k.weight", [d, kv], Bytes(wk + l * kv * d));
            yield return ($"blk.{l}.attn_v.weight", [d, kv], Bytes(wv + l * kv * d));
            yield return ($"blk.{l}.attn_output.weight", [d, d], Bytes(wo + l * d * d));
            yield return ($"blk.{l}.ffn_norm.weight", [d], Bytes(rmsFfn + l * d));
            yield return ($"blk.{l}.ffn_gate.weight", [d, h], Bytes(w1 + l * h * d));
            yield return ($"blk.{l}.ffn_down.weight", [h, d], Bytes(w2 + l * d * h));
            yield return ($"blk.{l}.ffn_up.weight", [d, h], Bytes(w3 + l * h * d));
        }
        yield return ("output_norm.weight", [d], Bytes(rmsFinal));
        // A shared classifier is left out: llama.cpp then uses token_embd.weight.
        if (!c.SharedClassifier) yield return ("output.weight", [d, v], Bytes(classifier));
    }

    private sealed record Vocabulary(string[] Pieces, float[] Scores, int[] Types);

    // llama.cpp's llama_token_type values.
    private const int TokenNormal = 1, TokenUnknown = 2, TokenControl = 3, TokenByte = 6;

    /// <summary>
    /// Reads a llama2.c tokenizer (int32 max_token_length; per token float32 score, int32 length, bytes) and turns the
    /// pieces back into SentencePiece form: spaces become U+2581 and the decorated BOS/EOS pieces become <c>&lt;s&gt;</c>/<c>&lt;/s&gt;</c>.
    /// </summary>
    private static Vocabulary ReadTokenizer(string path, int vocabSize)
    {
        byte[] data = File.ReadAllBytes(path);
        long offset = 0;
        int ReadInt32(string field)
        {
            if (data.Length - offset < 4)
                throw new Llama2CFormatException(path, field, offset, $"the file ends after {data.Length} bytes (truncated?)");
            int value = BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan((int)offset));
            offset += 4;
            return value;
        }

        int maxTokenLength = ReadInt32("max_token_length");
        if (maxTokenLength <= 0)
            throw new Llama2CFormatException(path, "max_token_length", 0, $"max_token_length is {maxTokenLength}; it must be positive");

        var pieces = new string[vocabSize];
        var scores = new float[vocabSize];
        var types = new int[vocabSize];
        var utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
        for (int i = 0; i < vocabSize; i++)
        {
            scores[i] = BitConverter.Int32BitsToSingle(ReadInt32($"token {i} score"));
            long lengthAt = offset;
            int length = ReadInt32($"token {i} length");
            if (length < 0 || length > maxTokenLength || length > data.Length - offset)
                throw new Llama2CFormatException(path, $"token {i} length", lengthAt,
                    $"length {length} is negative, exceeds max_token_length {maxTokenLength}, or runs past the end of the file ({data.Length} bytes)");
            string text;
            try
            {
                text = utf8.GetString(data, (int)offset, length);
            }
            catch (DecoderFallbackException)
            {
                throw new Llama2CFormatException(path, $"token {i} bytes", offset, "the piece is not valid UTF-8");
            }
            offset += length;

            // run.c prints BOS/EOS with surrounding newlines; SentencePiece's pieces are the bare control tokens.
            text = text switch { "\n<s>\n" => "<s>", "\n</s>\n" => "</s>", _ => text.Replace(' ', '\u2581') };
            pieces[i] = text;
            types[i] = text switch
            {
                "<unk>" => TokenUnknown,
                "<s>" or "</s>" => TokenControl,
                _ when IsByteFallback(text) => TokenByte,
                _ => TokenNormal,
            };
        }
        return new Vocabulary(pieces, scores, types);
    }

    /// <summary>SentencePiece byte-fallback pieces are spelled <c>&lt;0xNN&gt;</c> with two upper-case hex digits.</summary>
    private static bool IsByteFallback(string piece) =>
        piece.Length == 6 && piece.StartsWith("<0x", StringComparison.Ordinal) && piece[5] == '>' &&
        Uri.IsHexDigit(piece[3]) && Uri.IsHexDigit(piece[4]);
}
