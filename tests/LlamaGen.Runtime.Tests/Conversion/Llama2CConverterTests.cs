using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using LlamaGen.Conversion;
using LlamaGen.Gguf;
using LlamaGen.Quantization;
using LlamaGen.TestSupport.Reference;
using LlamaGen.Models;

namespace LlamaGen.Runtime.Tests.Conversion;

/// <summary>
/// Converts the stories260K fixture and checks the result against the fixture README's facts and against the source
/// floats (read by the test's own llama2.c loader, <see cref="ReferenceLlamaWeights"/>).
/// </summary>
public sealed class Llama2CConverterTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("llamagen-convert-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private string Convert(string model, string? tokenizer = null)
    {
        string output = Path.Combine(directory, "out.gguf");
        Llama2CConverter.Convert(model, tokenizer ?? ReferenceFixtures.Stories260KTokenizer, output);
        return output;
    }

    [Fact]
    public void MetadataMatchesTheFixtureReadme()
    {
        using var gguf = GgufFile.Open(Convert(ReferenceFixtures.Stories260KModel));
        Assert.Equal(3u, gguf.Version);
        Assert.Equal("llama", gguf.GetString("general.architecture"));
        Assert.Equal("stories260K", gguf.GetString("general.name"));
        Assert.Equal(0u, gguf.GetUInt32("general.file_type"));
        Assert.Equal(512u, gguf.GetUInt32("llama.context_length"));
        Assert.Equal(64u, gguf.GetUInt32("llama.embedding_length"));
        Assert.Equal(5u, gguf.GetUInt32("llama.block_count"));
        Assert.Equal(172u, gguf.GetUInt32("llama.feed_forward_length"));
        Assert.Equal(8u, gguf.GetUInt32("llama.rope.dimension_count"));
        Assert.Equal(8u, gguf.GetUInt32("llama.attention.head_count"));
        Assert.Equal(4u, gguf.GetUInt32("llama.attention.head_count_kv"));
        Assert.True(gguf.TryGetValue("llama.attention.layer_norm_rms_epsilon", out var epsilon));
        Assert.Equal(GgufValueType.Float32, epsilon.Type);
        Assert.Equal(1e-5f, (float)epsilon.Value);
        Assert.Equal("llama", gguf.GetString("tokenizer.ggml.model"));
        Assert.Equal(1u, gguf.GetUInt32("tokenizer.ggml.bos_token_id"));
        Assert.Equal(2u, gguf.GetUInt32("tokenizer.ggml.eos_token_id"));
        Assert.Equal(0u, gguf.GetUInt32("tokenizer.ggml.unknown_token_id"));
        Assert.True(gguf.GetBool("tokenizer.ggml.add_bos_token"));
        Assert.False(gguf.GetBool("tokenizer.ggml.add_eos_token"));
    }

    [Fact]
    public void VocabularyIsInSentencePieceForm()
    {
        using var gguf = GgufFile.Open(Convert(ReferenceFixtures.Stories260KModel));
        var tokens = gguf.GetStringArray("tokenizer.ggml.tokens");
        var scores = gguf.GetFloat32Array("tokenizer.ggml.scores");
        var types = gguf.GetInt32Array("tokenizer.ggml.token_type");
        var (sourcePieces, sourceScores) = ReadTokenizer(ReferenceFixtures.Stories260KTokenizer, 512);

        Assert.Equal(512, tokens.Length);
        Assert.Equal(sourceScores, scores);
        Assert.Equal(["<unk>", "<s>", "</s>"], tokens[..3]);
        Assert.Equal([2, 3, 3], types[..3]);
        Assert.Equal("\n<s>\n", sourcePieces[1]);
        for (int i = 3; i < tokens.Length; i++)
        {
            Assert.Equal(sourcePieces[i].Replace(' ', '\u2581'), tokens[i]);
            bool isByte = sourcePieces[i].Length == 6 && sourcePieces[i].StartsWith("<0x") && sourcePieces[i].EndsWith('>');
            Assert.Equal(isByte ? 6 : 1, types[i]);
        }
        Assert.Equal(256, types.Count(t => t == 6)); // byte fallback covers every byte value
        Assert.Contains("\u2581the", tokens);
    }

    [Fact]
    public void TensorsHoldTheCheckpointFloatsUnderLlamaCppNames()
    {
        using var gguf = GgufFile.Open(Convert(ReferenceFixtures.Stories260KModel));
        var w = ReferenceLlamaWeights.LoadLlama2C(ReferenceFixtures.Stories260KModel);
        int d = w.Dim, kv = w.KvDim, h = w.HiddenDim;

        var expected = new List<(string Name, long[] Dims, float[] Data)> { ("token_embd.weight", [d, w.VocabSize], w.TokenEmbedding) };
        for (int l = 0; l < w.Layers; l++)
        {
            expected.Add(($"blk.{l}.attn_norm.weight", [d], Slice(w.RmsAtt, l, d)));
            expected.Add(($"blk.{l}.attn_q.weight", [d, d], Slice(w.Wq, l, d * d)));
            expected.Add(($"blk.{l}.attn_k.weight", [d, kv], Slice(w.Wk, l, kv * d)));
            expected.Add(($"blk.{l}.attn_v.weight", [d, kv], Slice(w.Wv, l, kv * d)));
            expected.Add(($"blk.{l}.attn_output.weight", [d, d], Slice(w.Wo, l, d * d)));
            expected.Add(($"blk.{l}.ffn_norm.weight", [d], Slice(w.RmsFfn, l, d)));
            expected.Add(($"blk.{l}.ffn_gate.weight", [d, h], Slice(w.W1, l, h * d)));
            expected.Add(($"blk.{l}.ffn_down.weight", [h, d], Slice(w.W2, l, d * h)));
            expected.Add(($"blk.{l}.ffn_up.weight", [d, h], Slice(w.W3, l, h * d)));
        }
        expected.Add(("output_norm.weight", [d], w.RmsFinal));

        Assert.Equal(expected.Select(e => e.Name), gguf.Tensors.Select(t => t.Name)); // shared classifier: no output.weight
        foreach (var (name, dims, data) in expected)
        {
            Assert.True(gguf.TryGetTensor(name, out var tensor));
            Assert.Equal(GgmlType.F32, tensor.Type);
            Assert.Equal(dims, tensor.Dimensions);
            Assert.True(data.AsSpan().SequenceEqual(MemoryMarshal.Cast<byte, float>(gguf.GetTensorBytes(tensor))), name);
        }
        // The README's shapes, spelled out.
        Assert.Equal([64L, 32], gguf.Tensors.Single(t => t.Name == "blk.0.attn_k.weight").Dimensions);
        Assert.Equal([172L, 64], gguf.Tensors.Single(t => t.Name == "blk.4.ffn_down.weight").Dimensions);
    }

    [Fact]
    public void ConvertedFileMatchesTheCheckedInStoriesSpec()
    {
        using var gguf = GgufFile.Open(Convert(ReferenceFixtures.Stories260KModel));
        var fileShape = ModelShapeReader.FromGguf(gguf);
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(LlamaGen.Runtime.Tests.Gguf.ModelMatchingTests.FindSpec("stories260k.json")));
        var s = json.RootElement;
        var specShape = new ModelShape(s.GetProperty("name").GetString()!,
            s.GetProperty("embedding_length").GetInt32(), s.GetProperty("block_count").GetInt32(),
            s.GetProperty("attention.head_count").GetInt32(), s.GetProperty("attention.head_count_kv").GetInt32(),
            s.GetProperty("feed_forward_length").GetInt32(), s.GetProperty("vocab_size").GetInt32(),
            s.GetProperty("context_length").GetInt32(), s.GetProperty("rope.freq_base").GetSingle(),
            s.GetProperty("attention.layer_norm_rms_epsilon").GetSingle(),
            s.GetProperty("weight_types").EnumerateArray().Select(t => GgmlTypeInfo.TryParse(t.GetString()!, out var type) ? type : throw new FormatException(t.GetString())).ToArray());
        Assert.Null(ModelCatalog.FirstDifference(fileShape, specShape));
        Assert.Equal([GgmlType.F32], fileShape.WeightTypes);
    }

    private static float[] Slice(float[] all, int layer, int size) => all.AsSpan(layer * size, size).ToArray();

    [Fact]
    public void SeparateClassifierBecomesOutputWeight()
    {
        // Flip vocab_size negative and append a classifier: llama2.c's flag for an unshared classifier.
        var bytes = File.ReadAllBytes(ReferenceFixtures.Stories260KModel);
        int vocab = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(20));
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(20), -vocab);
        var classifier = Enumerable.Range(0, vocab * 64).Select(i => (float)i).ToArray();
        string model = Path.Combine(directory, "separate.bin");
        File.WriteAllBytes(model, [.. bytes, .. MemoryMarshal.AsBytes(classifier.AsSpan()).ToArray()]);

        using var gguf = GgufFile.Open(Convert(model));
        var output = gguf.Tensors[^1];
        Assert.Equal("output.weight", output.Name);
        Assert.Equal([64L, vocab], output.Dimensions);
        Assert.True(classifier.AsSpan().SequenceEqual(MemoryMarshal.Cast<byte, float>(gguf.GetTensorBytes(output))));
    }

    [Fact]
    public void TruncatedCheckpointIsAClearErrorAndLeavesNoFile()
    {
        var bytes = File.ReadAllBytes(ReferenceFixtures.Stories260KModel);
        string model = Path.Combine(directory, "truncated.bin");
        File.WriteAllBytes(model, bytes[..^100]);

        var e = Assert.Throws<Llama2CFormatException>(() => Convert(model));
        Assert.Equal(model, e.FilePath);
        Assert.Equal("weights", e.Field);
        Assert.Contains($"the header implies {bytes.Length} bytes (shared classifier) but the file is {bytes.Length - 100} bytes (truncated?)", e.Message);
        Assert.Equal([model], Directory.GetFiles(directory));
    }

    [Theory]
    [InlineData(0, "dim", 0)]
    [InlineData(12, "n_heads", 0)]
    [InlineData(12, "n_heads", 7)]   // 64 is not a multiple of 7
    [InlineData(16, "n_kv_heads", 3)] // 8 is not a multiple of 3
    public void BadHeaderFieldIsNamedWithItsOffset(int offset, string field, int value)
    {
        var bytes = File.ReadAllBytes(ReferenceFixtures.Stories260KModel);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(offset), value);
        string model = Path.Combine(directory, "bad.bin");
        File.WriteAllBytes(model, bytes);
        var e = Assert.Throws<Llama2CFormatException>(() => Convert(model));
        Assert.Equal(field, e.Field);
        Assert.Equal(offset, e.ByteOffset);
    }

    [Fact]
    public void TooShortForAHeader()
    {
        string model = Path.Combine(directory, "short.bin");
        File.WriteAllBytes(model, new byte[10]);
        var e = Assert.Throws<Llama2CFormatException>(() => Convert(model));
        Assert.Equal("header", e.Field);
    }

    [Fact]
    public void TruncatedTokenizer()
    {
        var bytes = File.ReadAllBytes(ReferenceFixtures.Stories260KTokenizer);
        string tokenizer = Path.Combine(directory, "tok.bin");
        File.WriteAllBytes(tokenizer, bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<Llama2CFormatException>(() => Convert(ReferenceFixtures.Stories260KModel, tokenizer));
        Assert.Equal(tokenizer, e.FilePath);
        Assert.StartsWith("token ", e.Field);
        Assert.InRange(e.ByteOffset, 4, bytes.Length / 2);
    }

    /// <summary>The llama2.c tokenizer format, read plainly: int32 max length; per token float32 score, int32 length, bytes.</summary>
    private static (string[] Pieces, float[] Scores) ReadTokenizer(string path, int vocab)
    {
        using var reader = new BinaryReader(File.OpenRead(path));
        reader.ReadInt32();
        var pieces = new string[vocab];
        var scores = new float[vocab];
        for (int i = 0; i < vocab; i++)
        {
            scores[i] = reader.ReadSingle();
            pieces[i] = Encoding.UTF8.GetString(reader.ReadBytes(reader.ReadInt32()));
        }
        return (pieces, scores);
    }
}
