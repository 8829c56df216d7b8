using LlamaGen.Gguf;
using LlamaGen.Quantization;
using LlamaGen.TestSupport.Reference;

namespace LlamaGen.Runtime.Tests.Gguf;

public class GgufRoundTripTests
{
    /// <summary>One value of every GGUF type, scalars and arrays, with extremes of each range.</summary>
    public static GgufMetadata[] EveryValueType() =>
    [
        new("t.u8", GgufValue.Of((byte)250)),
        new("t.i8", GgufValue.Of((sbyte)-128)),
        new("t.u16", GgufValue.Of((ushort)65535)),
        new("t.i16", GgufValue.Of((short)-32768)),
        new("t.u32", GgufValue.Of(uint.MaxValue)),
        new("t.i32", GgufValue.Of(int.MinValue)),
        new("t.f32", GgufValue.Of(-1.5e-7f)),
        new("t.bool", GgufValue.Of(true)),
        new("t.str", GgufValue.Of("h\u00e9llo \u2581w\u00f6rld \U0001F600")),
        new("t.emptystr", GgufValue.Of("")),
        new("t.u64", GgufValue.Of(ulong.MaxValue)),
        new("t.i64", GgufValue.Of(long.MinValue)),
        new("t.f64", GgufValue.Of(Math.PI)),
        new("a.u8", GgufValue.Of(new byte[] { 0, 1, 255 })),
        new("a.i8", GgufValue.Of(new sbyte[] { -1, 127 })),
        new("a.u16", GgufValue.Of(new ushort[] { 1, 65535 })),
        new("a.i16", GgufValue.Of(new short[] { -2, 3 })),
        new("a.u32", GgufValue.Of(new uint[] { 7, uint.MaxValue })),
        new("a.i32", GgufValue.Of(new[] { -7, int.MaxValue })),
        new("a.f32", GgufValue.Of(new[] { 1f, float.NegativeInfinity, float.Epsilon })),
        new("a.bool", GgufValue.Of(new[] { true, false, true })),
        new("a.str", GgufValue.Of(new[] { "<s>", "", "\u2581the" })),
        new("a.u64", GgufValue.Of(new ulong[] { ulong.MaxValue })),
        new("a.i64", GgufValue.Of(new long[] { long.MinValue, 0 })),
        new("a.f64", GgufValue.Of(new[] { double.MaxValue })),
        new("a.empty", GgufValue.Of(Array.Empty<float>())),
        new("a.nested", GgufValue.Of(new[] { GgufValue.Of(new[] { 1, 2 }), GgufValue.Of(new[] { "x" }), GgufValue.Of(Array.Empty<GgufValue>()) })),
    ];

    [Theory]
    [InlineData(3u, 32u)]
    [InlineData(2u, 32u)]
    [InlineData(3u, 1u)]
    [InlineData(3u, 8u)]
    [InlineData(2u, 64u)]
    [InlineData(3u, 4096u)]
    public void MetadataAndTensorsRoundTrip(uint version, uint alignment)
    {
        var metadata = EveryValueType();
        var random = new Random(1234);
        var q8 = new byte[2 * 3 * 34];   // Q8_0 [64, 3]: 2 blocks per row
        var f32 = new byte[5 * 4];        // F32 [5]: odd length, so the next tensor needs padding
        var f16 = new byte[4 * 2 * 2 * 2 * 2];
        random.NextBytes(q8);
        random.NextBytes(f32);
        random.NextBytes(f16);

        using var file = GgufTestFile.Write(w =>
        {
            foreach (var m in metadata) w.AddMetadata(m.Key, m.Value);
            w.AddTensor("q8", [64, 3], GgmlType.Q8_0);
            w.AddTensor("f32", [5], GgmlType.F32);
            w.AddTensor("f16", [4, 2, 2, 2], GgmlType.F16);
            w.WriteTensorData(q8.AsSpan(0, 100)); // in two chunks
            w.WriteTensorData(q8.AsSpan(100));
            w.WriteTensorData(f32);
            w.WriteTensorData(f16);
        }, version, alignment);

        using var gguf = GgufFile.Open(file.Path);
        Assert.Equal(version, gguf.Version);
        Assert.Equal(alignment, gguf.Alignment);
        Assert.Equal(0, gguf.DataOffset % alignment);

        var expected = alignment == 32 ? metadata : [new("general.alignment", GgufValue.Of(alignment)), .. metadata];
        Assert.Equal(expected.Length, gguf.Metadata.Count);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i].Key, gguf.Metadata[i].Key);
            AssertSameValue(expected[i].Value, gguf.Metadata[i].Value);
        }

        Assert.Equal(["q8", "f32", "f16"], gguf.Tensors.Select(t => t.Name));
        Assert.Equal([64L, 3], gguf.Tensors[0].Dimensions);
        Assert.Equal([4L, 2, 2, 2], gguf.Tensors[2].Dimensions);
        Assert.Equal([GgmlType.Q8_0, GgmlType.F32, GgmlType.F16], gguf.Tensors.Select(t => t.Type));
        Assert.All(gguf.Tensors, t => Assert.Equal(0, t.Offset % alignment));
        Assert.Equal(q8, gguf.GetTensorBytes(gguf.Tensors[0]).ToArray());
        Assert.Equal(f32, gguf.GetTensorBytes(gguf.Tensors[1]).ToArray());
        Assert.True(gguf.TryGetTensor("f16", out var t16));
        Assert.Equal(f16, gguf.GetTensorBytes(t16).ToArray());
        unsafe
        {
            Assert.Equal(f16[0], *(byte*)gguf.GetTensorPointer(t16));
        }
    }

    private static void AssertSameValue(GgufValue expected, GgufValue actual)
    {
        Assert.Equal(expected.Type, actual.Type);
        if (expected.Type != GgufValueType.Array)
        {
            Assert.Equal(expected.Value, actual.Value);
            return;
        }
        Assert.Equal(expected.ElementType, actual.ElementType);
        Assert.Equal(expected.Value.GetType(), actual.Value.GetType());
        var e = (Array)expected.Value;
        var a = (Array)actual.Value;
        Assert.Equal(e.Length, a.Length);
        for (int i = 0; i < e.Length; i++)
        {
            if (e.GetValue(i) is GgufValue inner) AssertSameValue(inner, (GgufValue)a.GetValue(i)!);
            else Assert.Equal(e.GetValue(i), a.GetValue(i));
        }
    }

    [Fact]
    public void FileWithoutTensorsOrMetadataOpens()
    {
        using var file = GgufTestFile.Write(_ => { });
        using var gguf = GgufFile.Open(file.Path);
        Assert.Empty(gguf.Metadata);
        Assert.Empty(gguf.Tensors);
        // magic + version + two uint64 counts = 24 bytes, padded to the 32-byte data alignment.
        Assert.Equal(32, file.ReadAllBytes().Length);
        Assert.Equal(32, gguf.DataOffset);
    }

    [Fact]
    public void TypedAccessorsConvertCompatibleIntegersAndNameTheKeyOtherwise()
    {
        using var file = GgufTestFile.Write(w => w
            .AddMetadata("k.i32", 5)
            .AddMetadata("k.negative", -5)
            .AddMetadata("k.str", "text")
            .AddMetadata("k.f64", GgufValue.Of(0.25))
            .AddMetadata("k.u8s", GgufValue.Of(new byte[] { 1, 6 }))
            .AddMetadata("k.u32s", GgufValue.Of(new[] { 3u, uint.MaxValue }))
            .AddMetadata("k.bool", true));
        using var gguf = GgufFile.Open(file.Path);

        Assert.Equal(5u, gguf.GetUInt32("k.i32"));
        Assert.Equal(-5, gguf.GetInt32("k.negative"));
        Assert.Equal(0.25f, gguf.GetFloat32("k.f64"));
        Assert.Equal([1, 6], gguf.GetInt32Array("k.u8s"));
        Assert.True(gguf.GetBool("k.bool"));
        Assert.False(gguf.TryGetUInt32("k.absent", out _));

        var missing = Assert.Throws<GgufFormatException>(() => gguf.GetString("k.absent"));
        Assert.Equal("metadata key 'k.absent'", missing.Field);
        Assert.Contains("missing", missing.Message);

        var negative = Assert.Throws<GgufFormatException>(() => gguf.GetUInt32("k.negative"));
        Assert.Equal("metadata key #1 'k.negative' value", negative.Field);

        var wrongType = Assert.Throws<GgufFormatException>(() => gguf.GetUInt32("k.str"));
        Assert.Contains("has type string", wrongType.Message);
        // The value of k.str starts after its key (length + bytes) and its type.
        var bytes = file.ReadAllBytes();
        Assert.Equal(GgufTestFile.Find(bytes, "k.str") + 5 + 4, wrongType.ByteOffset);

        var tooBig = Assert.Throws<GgufFormatException>(() => gguf.GetInt32Array("k.u32s"));
        Assert.Contains("does not fit in int32", tooBig.Message);
        Assert.Throws<GgufFormatException>(() => gguf.GetStringArray("k.u8s"));
        Assert.Throws<GgufFormatException>(() => gguf.GetFloat32Array("k.u8s"));
    }

    [Fact]
    public void DisposedFileRefusesTensorAccess()
    {
        using var file = GgufTestFile.Write(w => { w.AddTensor("x", [8], GgmlType.F32); w.WriteTensorData(new byte[32]); });
        var gguf = GgufFile.Open(file.Path);
        var tensor = gguf.Tensors[0];
        gguf.Dispose();
        gguf.Dispose();
        Assert.Throws<ObjectDisposedException>(() => gguf.GetTensorPointer(tensor));
    }

    [Fact]
    public void TensorOfAnotherFileIsRejected()
    {
        using var file = GgufTestFile.Write(w => { w.AddTensor("x", [8], GgmlType.F32); w.WriteTensorData(new byte[32]); });
        using var gguf = GgufFile.Open(file.Path);
        var foreign = new GgufTensorInfo("x", [16], GgmlType.F32, 0, 64);
        Assert.Throws<ArgumentException>(() => gguf.GetTensorPointer(foreign));
    }

    [Fact]
    public void WriterEnforcesDeclarationOrderAndSizes()
    {
        using var stream = new MemoryStream();
        var writer = new GgufWriter(stream);
        writer.AddTensor("a", [32], GgmlType.Q8_0);
        writer.AddTensor("b", [2], GgmlType.F32);
        Assert.Throws<ArgumentException>(() => writer.AddTensor("a", [32], GgmlType.F32));
        Assert.Throws<ArgumentException>(() => writer.AddTensor("c", [31], GgmlType.Q4_0));
        Assert.Throws<ArgumentException>(() => writer.AddMetadata("general.alignment", 64u));
        Assert.Throws<ArgumentException>(() => writer.AddMetadata("bad", new GgufValue { Type = GgufValueType.UInt32, Value = 1 }));

        writer.WriteTensorData(new byte[30]);
        Assert.Throws<InvalidOperationException>(() => writer.AddMetadata("late", 1u));
        Assert.Throws<ArgumentException>(() => writer.WriteTensorData(new byte[5])); // a has 4 bytes left
        writer.WriteTensorData(new byte[4]);
        Assert.Throws<InvalidOperationException>(() => writer.Finish()); // b not written
        writer.WriteTensorData(new byte[8]);
        writer.Finish();
        Assert.Equal(0, stream.Length % 32);
    }

    [Fact]
    public void OpensTheTinyRandomLlama2Fixture()
    {
        // Facts from the fixture's README: Llama 2's 32000-piece vocabulary, dim 8, 1 layer, F16 weights.
        using var gguf = GgufFile.Open(ReferenceFixtures.TinyRandomGguf);
        Assert.Equal(3u, gguf.Version);
        Assert.Equal("llama", gguf.GetString("general.architecture"));
        Assert.Equal(32000, gguf.GetStringArray("tokenizer.ggml.tokens").Length);
        Assert.Equal(32000, gguf.GetFloat32Array("tokenizer.ggml.scores").Length);
        Assert.Equal(32000, gguf.GetInt32Array("tokenizer.ggml.token_type").Length);
        Assert.Equal(8u, gguf.GetUInt32("llama.embedding_length"));
        Assert.Equal(1u, gguf.GetUInt32("llama.block_count"));
        Assert.True(gguf.TryGetTensor("blk.0.attn_q.weight", out var q));
        Assert.Equal(GgmlType.F16, q.Type);
        Assert.Equal([8L, 8], q.Dimensions);
        Assert.True(gguf.TryGetTensor("token_embd.weight", out var embedding));
        Assert.Equal([8L, 32000], embedding.Dimensions);
    }
}
