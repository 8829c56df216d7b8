using System.Runtime.InteropServices;
using LlamaGen.Conversion;
using LlamaGen.Gguf;
using LlamaGen.TestModels;
using LlamaGen.Quantization;
using LlamaGen.TestSupport.Reference;
using LlamaGen.Models;
using LlamaGen.Specs;
using LlamaGen.Sequences;

namespace LlamaGen.Runtime.Tests.Conversion;

/// <summary>
/// <see cref="SyntheticModelWriter"/> on the stories260k spec (with stories260K's own 512-piece vocabulary) and on
/// the small Llama 2 shaped test spec (with the Llama 2 vocabulary): the file must have llama.cpp's layout, match
/// the right compiled model, and run; F32/F16 files must give the scalar reference's logits.
/// </summary>
public sealed class SyntheticModelWriterTests : IDisposable
{
    // The same bound as the other F32/F16 model tests: both sides read the same weights and compute in F32, only the
    // summation order differs; a wrong tensor, layout or norm moves logits of magnitude ~0.3 by far more.
    private const float LogitTolerance = 1e-4f;

    private readonly string directory = Directory.CreateTempSubdirectory("llamagen-synth-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private static string SpecPath(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "specs", name);
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException($"Cannot find specs/{name} in any parent of {AppContext.BaseDirectory}.");
    }

    /// <summary>stories260K converted to GGUF: the source of a 512-piece vocabulary for the stories260k spec.</summary>
    private string Stories260KVocabulary()
    {
        string path = Path.Combine(directory, "stories260K-vocabulary.gguf");
        if (!File.Exists(path))
            Llama2CConverter.Convert(ReferenceFixtures.Stories260KModel, ReferenceFixtures.Stories260KTokenizer, path);
        return path;
    }

    private string Synthesize(string spec, GgmlType type, string? vocabulary = null, ulong seed = 0, int threads = 0, string? name = null)
    {
        string output = Path.Combine(directory, name ?? $"{Path.GetFileNameWithoutExtension(spec)}-{GgmlTypeInfo.Name(type)}.gguf");
        SyntheticModelWriter.Write(SpecJsonReader.ReadFile(SpecPath(spec)), type, vocabulary ?? ReferenceFixtures.TinyRandomGguf, output, seed, threads);
        return output;
    }

    /// <summary>The uniform types whose blocks fit the small spec's rows (128, 352, 64).</summary>
    public static TheoryData<GgmlType> AllTypes =>
        new(GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1);

    /// <summary>The types that need 256-element rows: the K-quants and llama.cpp's K mixes, on the llama2-test-k spec.</summary>
    public static TheoryData<string> KTypes => new("q2_k", "q3_k", "q4_k", "q5_k", "q6_k", "q4_k_m", "q5_k_m");

    // llama.cpp's llama_ftype numbers (include/llama.h), recorded as general.file_type.
    private static uint LlamaFtype(GgmlType type) => type switch
    {
        GgmlType.F32 => 0, GgmlType.F16 => 1, GgmlType.Q4_0 => 2, GgmlType.Q4_1 => 3, GgmlType.Q8_0 => 7,
        GgmlType.Q5_0 => 8, GgmlType.Q5_1 => 9, GgmlType.BF16 => 32,
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    [Theory]
    [MemberData(nameof(AllTypes))]
    public void SmallSpecFileHasLlamaCppLayoutAndMatchesItsCompiledModel(GgmlType type)
    {
        var shape = SpecJsonReader.ReadFile(SpecPath("llama2-test-small.json"));
        using var file = GgufFile.Open(Synthesize("llama2-test-small.json", type));

        Assert.Equal("llama", file.GetString("general.architecture"));
        Assert.Equal("llama2-test-small", file.GetString("general.name"));
        Assert.Equal(LlamaFtype(type), file.GetUInt32("general.file_type"));
        Assert.Equal(GgmlTypeInfo.BlockSize(type) > 1, file.TryGetValue("general.quantization_version", out _));
        Assert.Equal(512u, file.GetUInt32("llama.context_length"));
        Assert.Equal(128u, file.GetUInt32("llama.embedding_length"));
        Assert.Equal(2u, file.GetUInt32("llama.block_count"));
        Assert.Equal(352u, file.GetUInt32("llama.feed_forward_length"));
        Assert.Equal(32u, file.GetUInt32("llama.rope.dimension_count"));
        Assert.Equal(4u, file.GetUInt32("llama.attention.head_count"));
        Assert.Equal(2u, file.GetUInt32("llama.attention.head_count_kv"));
        Assert.Equal(10000f, file.GetFloat32("llama.rope.freq_base"));
        Assert.Equal(1e-5f, file.GetFloat32("llama.attention.layer_norm_rms_epsilon"));

        // The vocabulary is the vocabulary file's, entry for entry.
        using (var vocabulary = GgufFile.Open(ReferenceFixtures.TinyRandomGguf))
        {
            var expected = vocabulary.Metadata.Where(m => m.Key.StartsWith("tokenizer.", StringComparison.Ordinal)).ToArray();
            var actual = file.Metadata.Where(m => m.Key.StartsWith("tokenizer.", StringComparison.Ordinal)).ToArray();
            Assert.Equal(expected.Select(m => m.Key), actual.Select(m => m.Key));
            Assert.Equal(vocabulary.GetStringArray("tokenizer.ggml.tokens"), file.GetStringArray("tokenizer.ggml.tokens"));
            Assert.Equal(vocabulary.GetFloat32Array("tokenizer.ggml.scores"), file.GetFloat32Array("tokenizer.ggml.scores"));
            Assert.Equal(vocabulary.GetInt32Array("tokenizer.ggml.token_type"), file.GetInt32Array("tokenizer.ggml.token_type"));
            Assert.Equal(vocabulary.GetUInt32("tokenizer.ggml.bos_token_id"), file.GetUInt32("tokenizer.ggml.bos_token_id"));
        }

        // llama.cpp's tensor set for an untied Llama model: 2 + 9 per block + output_norm.
        Assert.Equal(3 + 9 * 2, file.Tensors.Count);
        AssertTensor(file, "token_embd.weight", [128, 32000], type);
        AssertTensor(file, "output.weight", [128, 32000], type);
        AssertTensor(file, "output_norm.weight", [128], GgmlType.F32);
        for (int layer = 0; layer < 2; layer++)
        {
            AssertTensor(file, $"blk.{layer}.attn_norm.weight", [128], GgmlType.F32);
            AssertTensor(file, $"blk.{layer}.attn_q.weight", [128, 128], type);
            AssertTensor(file, $"blk.{layer}.attn_k.weight", [128, 64], type);
            AssertTensor(file, $"blk.{layer}.attn_v.weight", [128, 64], type);
            AssertTensor(file, $"blk.{layer}.attn_output.weight", [128, 128], type);
            AssertTensor(file, $"blk.{layer}.ffn_norm.weight", [128], GgmlType.F32);
            AssertTensor(file, $"blk.{layer}.ffn_gate.weight", [128, 352], type);
            AssertTensor(file, $"blk.{layer}.ffn_down.weight", [352, 128], type);
            AssertTensor(file, $"blk.{layer}.ffn_up.weight", [128, 352], type);
        }

        var read = ModelShapeReader.FromGguf(file);
        Assert.Equal([type], read.WeightTypes);
        // ModelShape's WeightTypes is a list, which record equality compares by reference: compare the rest.
        Assert.Equal(shape with { WeightTypes = Array.Empty<GgmlType>() }, read with { WeightTypes = Array.Empty<GgmlType>() });
        Assert.Equal(typeof(Llama2TestSmall).FullName, ModelCatalog.Match(file, TestModelCatalog.All).TypeName);
    }

    [Theory]
    [MemberData(nameof(AllTypes))]
    public void WeightsHaveTheDocumentedDistribution(GgmlType type)
    {
        using var file = GgufFile.Open(Synthesize("llama2-test-small.json", type));
        foreach (var tensor in file.Tensors)
        {
            float[] values = Dequantize(file, tensor);
            if (tensor.Dimensions.Length == 1)
            {
                Assert.All(values, v => Assert.Equal(1f, v));
                continue;
            }
            double mean = values.Average(v => (double)v);
            double std = Math.Sqrt(values.Average(v => ((double)v - mean) * (v - mean)));
            double maxAbs = values.Max(v => Math.Abs((double)v));
            // 16k to 4M samples: the sample mean is within 1e-3 and the deviation within a few percent of 0.02
            // (Q4_0's 16 levels add rounding noise of about 0.02 * 3.4 / 16 / sqrt(12) = 1.2e-3 in quadrature; Q4_1's
            // minimum-based levels and the 5-bit types add less).
            Assert.True(Math.Abs(mean) < 1e-3, $"{tensor.Name}: mean {mean:E2}");
            Assert.InRange(std, 0.0192, 0.0212);
            // Irwin-Hall with n = 4 is bounded by sqrt(12) = 3.46 standard deviations.
            Assert.True(maxAbs <= 0.02 * Math.Sqrt(12) * 1.01, $"{tensor.Name}: |value| up to {maxAbs}");
        }
    }

    [Fact]
    public void TiedAndFrequencyFactorOptionsAddOnlyTheirTensorsAndKeepTheOthersValues()
    {
        var shape = SpecJsonReader.ReadFile(SpecPath("llama2-test-small.json"));
        float[] factors = Llama3RopeScaling.Factors(shape.HeadDimension, 500000f);
        string plainPath = Synthesize("llama2-test-small.json", GgmlType.Q8_0, seed: 5, name: "plain.gguf");
        string llama3Path = Path.Combine(directory, "llama3-layout.gguf");
        SyntheticModelWriter.Write(shape, SyntheticModelType.Of(GgmlType.Q8_0), ReferenceFixtures.TinyRandomGguf, llama3Path, seed: 5,
            options: new SyntheticModelOptions { TiedEmbeddings = true, RopeFrequencyFactors = factors });
        using var plain = GgufFile.Open(plainPath);
        using var llama3 = GgufFile.Open(llama3Path);
        Assert.True(plain.TryGetTensor("output.weight", out _));
        Assert.False(llama3.TryGetTensor("output.weight", out _));
        Assert.True(llama3.TryGetTensor(RopeFrequencyFactors.TensorName, out var ropeFreqs));
        Assert.Equal(GgmlType.F32, ropeFreqs.Type);
        Assert.Equal([shape.HeadDimension / 2L], ropeFreqs.Dimensions);
        Assert.Equal(factors, RopeFrequencyFactors.Read(llama3, shape.HeadDimension));
        Assert.Null(RopeFrequencyFactors.Read(plain, shape.HeadDimension));
        // Every tensor both files have holds the same bytes: the optional tensors come last and leave the seeds alone.
        foreach (var tensor in llama3.Tensors.Where(t => t.Name != RopeFrequencyFactors.TensorName))
            Assert.True(plain.GetTensorBytes(plain.Tensors.Single(t => t.Name == tensor.Name)).SequenceEqual(llama3.GetTensorBytes(tensor)), tensor.Name);

        // The generated model binds the tied classifier to token_embd.weight and rotates with the factors.
        using var model = Llama2TestSmall.Load(llama3);
        Assert.True(model.Rope.HasFrequencyFactors);
        using var untied = Llama2TestSmall.Load(plain);
        Assert.False(untied.Rope.HasFrequencyFactors);
    }

    [Fact]
    public void FrequencyFactorsOfTheWrongLengthAreRejectedBeforeWriting()
    {
        var shape = SpecJsonReader.ReadFile(SpecPath("llama2-test-small.json"));
        string output = Path.Combine(directory, "wrong-factors.gguf");
        var e = Assert.Throws<ArgumentException>(() => SyntheticModelWriter.Write(shape, SyntheticModelType.Of(GgmlType.Q8_0),
            ReferenceFixtures.TinyRandomGguf, output, options: new SyntheticModelOptions { RopeFrequencyFactors = new float[3] }));
        Assert.Contains($"3 RoPE frequency factors given, the head dimension {shape.HeadDimension} has {shape.HeadDimension / 2} pairs", e.Message);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void SameSeedGivesTheSameBytesOnAnyNumberOfThreadsAndAnotherSeedDoesNot()
    {
        byte[] one = File.ReadAllBytes(Synthesize("llama2-test-small.json", GgmlType.Q8_0, seed: 7, threads: 1, name: "one.gguf"));
        byte[] three = File.ReadAllBytes(Synthesize("llama2-test-small.json", GgmlType.Q8_0, seed: 7, threads: 3, name: "three.gguf"));
        byte[] other = File.ReadAllBytes(Synthesize("llama2-test-small.json", GgmlType.Q8_0, seed: 8, threads: 3, name: "other.gguf"));
        Assert.Equal(one, three);
        Assert.Equal(one.Length, other.Length);
        Assert.NotEqual(one, other);
    }

    [Theory]
    [InlineData(GgmlType.F32)]
    [InlineData(GgmlType.F16)]
    public void GeneratedModelGivesTheReferenceLogitsOnStories260KSpec(GgmlType type)
    {
        using var file = GgufFile.Open(Synthesize("stories260k.json", type, Stories260KVocabulary()));
        var descriptor = ModelCatalog.Match(file, TestModelCatalog.All);
        Assert.Equal(typeof(Stories260K).FullName, descriptor.TypeName);
        Assert.Equal(512, file.GetStringArray("tokenizer.ggml.tokens").Length);
        AssertMatchesReference(file, descriptor, [1, 400, 3, 511, 72]);
    }

    [Theory]
    [InlineData(GgmlType.F32)]
    [InlineData(GgmlType.F16)]
    public void GeneratedModelGivesTheReferenceLogitsOnSmallSpec(GgmlType type)
    {
        using var file = GgufFile.Open(Synthesize("llama2-test-small.json", type));
        AssertMatchesReference(file, ModelCatalog.Match(file, TestModelCatalog.All), [1, 15043, 3186, 31999, 0, 29871]);
    }

    [Theory]
    [InlineData(GgmlType.Q8_0)]
    [InlineData(GgmlType.Q4_0)]
    public void QuantizedModelRunsWithFiniteLogits(GgmlType type)
    {
        using var file = GgufFile.Open(Synthesize("llama2-test-small.json", type));
        using var model = ModelCatalog.Match(file, TestModelCatalog.All).Load(file);
        using var modelDecoder = new SequenceDecoder(model);
        var logits = new float[model.Shape.VocabSize];
        int token = 1;
        for (int pos = 0; pos < 8; pos++)
        {
            modelDecoder.Forward(token, pos, logits);
            Assert.All(logits, v => Assert.True(float.IsFinite(v)));
            Assert.True(logits.Max() - logits.Min() > 0.1f, "random weights must give distinguishable logits");
            token = LogitComparison.ArgMax(logits);
        }
    }

    [Fact]
    public void VocabularyOfAnotherSizeIsRejectedNamingBothSizesAndNothingIsWritten()
    {
        string output = Path.Combine(directory, "mismatch.gguf");
        var shape = SpecJsonReader.ReadFile(SpecPath("stories260k.json"));
        var e = Assert.Throws<ModelMismatchException>(() =>
            SyntheticModelWriter.Write(shape, GgmlType.F32, ReferenceFixtures.TinyRandomGguf, output));
        Assert.Contains("32000 tokens", e.Message);
        Assert.Contains("vocab_size 512", e.Message);
        Assert.Contains(ReferenceFixtures.TinyRandomGguf, e.Message);
        Assert.Empty(Directory.GetFiles(directory));
    }

    [Fact]
    public void TypeThatCannotHoldARowIsRejectedNamingTheTensor()
    {
        // stories260k's feed-forward length 172 is not a whole number of 32-element blocks.
        string output = Path.Combine(directory, "q4.gguf");
        var shape = SpecJsonReader.ReadFile(SpecPath("stories260k.json"));
        var e = Assert.Throws<ArgumentException>(() =>
            SyntheticModelWriter.Write(shape, GgmlType.Q4_0, Stories260KVocabulary(), output));
        Assert.Contains("blk.0.ffn_down.weight", e.Message);
        Assert.Contains("172", e.Message);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void UnsupportedTypeIsRejected()
    {
        // Q8_K is ggml's activation format for the K-quant dot products: it has no quantizer for weights.
        var shape = SpecJsonReader.ReadFile(SpecPath("llama2-test-small.json"));
        var e = Assert.Throws<ArgumentException>(() =>
            SyntheticModelWriter.Write(shape, GgmlType.Q8_K, ReferenceFixtures.TinyRandomGguf, Path.Combine(directory, "k.gguf")));
        Assert.Contains("q8_k", e.Message);
        Assert.Contains("q4_k_m", e.Message);
    }

    [Fact]
    public void KTypeOnRowsOf128IsRejectedNamingTheTensor()
    {
        var shape = SpecJsonReader.ReadFile(SpecPath("llama2-test-small.json"));
        string output = Path.Combine(directory, "k.gguf");
        var e = Assert.Throws<ArgumentException>(() =>
            SyntheticModelWriter.Write(shape, GgmlType.Q4_K, ReferenceFixtures.TinyRandomGguf, output));
        Assert.Contains("token_embd.weight", e.Message);
        Assert.Contains("q4_k blocks of 256", e.Message);
        Assert.False(File.Exists(output));
    }

    [Theory]
    [MemberData(nameof(KTypes))]
    public void KTypeFileHasThePlannedTypesAndQuantizesTheF32FilesValues(string typeName)
    {
        Assert.True(SyntheticModelType.TryParse(typeName, out var type));
        var shape = SpecJsonReader.ReadFile(SpecPath("llama2-test-k.json"));
        string path = Path.Combine(directory, $"k-{typeName}.gguf"), exactPath = Path.Combine(directory, "k-f32.gguf");
        SyntheticModelWriter.Write(shape, type, ReferenceFixtures.TinyRandomGguf, path, seed: 5);
        SyntheticModelWriter.Write(shape, GgmlType.F32, ReferenceFixtures.TinyRandomGguf, exactPath, seed: 5);
        using var file = GgufFile.Open(path);
        using var exact = GgufFile.Open(exactPath);
        Assert.Equal(type.FileType, file.GetUInt32("general.file_type"));
        Assert.Equal(typeof(Llama2TestK).FullName, ModelCatalog.Match(file, TestModelCatalog.All).TypeName);

        // The types are what llamagen quantize (GgufQuantizer) would choose for the F32 file of the same shape.
        var expectedTypes = type.Mix is { } mix
            ? GgufQuantizer.Plan(exact, mix).Select(p => p.To).ToArray()
            : exact.Tensors.Select(t => t.Dimensions.Length == 1 ? GgmlType.F32 : type.UniformType!.Value).ToArray();
        Assert.Equal(expectedTypes, file.Tensors.Select(t => t.Type).ToArray());
        if (type.Mix is not null)
            Assert.True(expectedTypes.Distinct().Count() >= 3, $"{typeName}: a mix has F32 norms and at least two matrix types");

        // Each quantized tensor is the F32 file's tensor quantized row by row: the F32 file is the exact model of
        // every type (what the oracle tests measure quantization error against).
        for (int i = 0; i < file.Tensors.Count; i++)
        {
            var tensor = file.Tensors[i];
            ReadOnlySpan<float> values = MemoryMarshal.Cast<byte, float>(exact.GetTensorBytes(exact.Tensors[i]));
            int columns = checked((int)tensor.Dimensions[0]);
            var row = new byte[GgmlTypeInfo.RowBytes(tensor.Type, columns)];
            var actual = file.GetTensorBytes(tensor);
            for (int r = 0; r * columns < values.Length; r += 97) // every 97th row: all tensors, a few seconds
            {
                ReferenceQuantization.QuantizeRow(tensor.Type, values.Slice(r * columns, columns), row);
                Assert.True(actual.Slice(r * row.Length, row.Length).SequenceEqual(row), $"{typeName}: {tensor.Name} row {r}");
            }
        }
    }

    [Fact]
    public void MixOnRowsOf64FallsBackExactlyAsTheQuantizerDoes()
    {
        // stories260k's rows of 64 and 172 are no whole number of 256-element blocks: Q4_K falls back to Q5_0, Q6_K to
        // Q8_0, 172 to F16; the synthetic mix must hold the same types as quantizing the F32 synthetic file.
        var shape = SpecJsonReader.ReadFile(SpecPath("stories260k.json"));
        string f32 = Path.Combine(directory, "s-f32.gguf");
        SyntheticModelWriter.Write(shape, GgmlType.F32, Stories260KVocabulary(), f32);
        using var exact = GgufFile.Open(f32);
        foreach (var fileType in new[] { LlamaFileType.MostlyQ4_K_M, LlamaFileType.MostlyQ5_K_M })
        {
            var plan = SyntheticModelWriter.Plan(shape, SyntheticModelType.Of(fileType));
            var expected = GgufQuantizer.Plan(exact, fileType);
            Assert.Equal(expected.Select(p => (p.Name, p.To, p.Fallback)), plan.Select(p => (p.Name, p.To, p.Fallback)));
            Assert.Contains(plan, p => p.Fallback is not null && p.To == GgmlType.F16);
        }
        Assert.Contains(SyntheticModelWriter.Plan(shape, SyntheticModelType.Of(LlamaFileType.MostlyQ4_K_M)), p => p.To == GgmlType.Q5_0);
        Assert.Contains(SyntheticModelWriter.Plan(shape, SyntheticModelType.Of(LlamaFileType.MostlyQ5_K_M)), p => p.To == GgmlType.Q5_1);
    }

    [Fact]
    public void BFloat16IsTheNearestValueRoundingTiesToEven()
    {
        string path = Synthesize("llama2-test-small.json", GgmlType.BF16, seed: 2);
        string exactPath = Synthesize("llama2-test-small.json", GgmlType.F32, seed: 2);
        using var file = GgufFile.Open(path);
        using var exact = GgufFile.Open(exactPath);
        var tensor = file.Tensors.First(t => t.Name == "blk.1.ffn_down.weight");
        var bits = MemoryMarshal.Cast<byte, ushort>(file.GetTensorBytes(tensor));
        var values = MemoryMarshal.Cast<byte, float>(exact.GetTensorBytes(exact.Tensors.First(t => t.Name == tensor.Name)));
        for (int i = 0; i < values.Length; i++)
        {
            // The two bfloat16 neighbours of the value: truncation and the next one away from zero.
            uint x = BitConverter.SingleToUInt32Bits(values[i]);
            uint down = x >> 16, up = down + 1;
            double dDown = Math.Abs(values[i] - (double)BitConverter.UInt32BitsToSingle(down << 16));
            double dUp = Math.Abs(values[i] - (double)BitConverter.UInt32BitsToSingle(up << 16));
            uint nearest = dDown < dUp ? down : dUp < dDown ? up : (down & 1) == 0 ? down : up;
            Assert.True(nearest == bits[i], $"element {i}: {values[i]:R} became 0x{bits[i]:X4}, the nearest bfloat16 is 0x{nearest:X4}");
        }
    }

    [Fact]
    public void FailureHalfwayLeavesNeitherTheOutputNorTheTemporaryFileAndKeepsAnOldOutput()
    {
        string output = Path.Combine(directory, "cancelled.gguf");
        File.WriteAllText(output, "previous model");
        var shape = SpecJsonReader.ReadFile(SpecPath("llama2-test-small.json"));
        using var cancellation = new CancellationTokenSource();
        bool tmpExistedDuringWrite = false;
        Assert.ThrowsAny<OperationCanceledException>(() =>
            SyntheticModelWriter.Write(shape, GgmlType.Q8_0, ReferenceFixtures.TinyRandomGguf, output, progress: (written, total) =>
            {
                tmpExistedDuringWrite |= File.Exists(output + ".tmp");
                if (written > total / 3) cancellation.Cancel();
            }, cancellation: cancellation.Token));
        Assert.True(tmpExistedDuringWrite, "the data is written to OUTPUT.tmp");
        Assert.False(File.Exists(output + ".tmp"));
        Assert.Equal("previous model", File.ReadAllText(output));
        Assert.Equal([output], Directory.GetFiles(directory));
    }

    private static void AssertTensor(GgufFile file, string name, long[] dimensions, GgmlType type)
    {
        Assert.True(file.TryGetTensor(name, out var tensor), $"tensor {name} is missing");
        Assert.Equal(dimensions, tensor.Dimensions);
        Assert.Equal(type, tensor.Type);
    }

    private static float[] Dequantize(GgufFile file, GgufTensorInfo tensor)
    {
        var values = new float[tensor.ElementCount];
        Dequantization.Row(tensor.Type, file.GetTensorBytes(tensor), values);
        return values;
    }

    /// <summary>The generated model against the scalar reference loaded from the same file, token by token.</summary>
    private static void AssertMatchesReference(GgufFile file, ModelDescriptor descriptor, int[] tokens)
    {
        var reference = new ReferenceLlama(ReferenceGgufLoader.Load(file));
        using var model = descriptor.Load(file);
        using var modelDecoder = new SequenceDecoder(model);
        var logits = new float[model.Shape.VocabSize];
        for (int pos = 0; pos < tokens.Length; pos++)
        {
            float[] expected = reference.Forward(tokens[pos], pos);
            modelDecoder.Forward(tokens[pos], pos, logits);
            Assert.All(expected, v => Assert.True(float.IsFinite(v)));
            float diff = LogitComparison.MaxAbsDifference(expected, logits);
            Assert.True(diff < LogitTolerance, $"{descriptor.TypeName}, position {pos}: logits differ from the reference by {diff:E3}.");
        }
    }
}
