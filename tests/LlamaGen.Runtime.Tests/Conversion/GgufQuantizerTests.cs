using System.Runtime.InteropServices;
using LlamaGen.Conversion;
using LlamaGen.Gguf;
using LlamaGen.Quantization;
using LlamaGen.TestSupport;

namespace LlamaGen.Runtime.Tests.Conversion;

/// <summary>
/// <see cref="GgufQuantizer"/> and <c>llamagen quantize</c> on the converted stories260K (dim 64, ffn 172, 5 layers,
/// tied embeddings): every row length is below 256, so the k-quant types exercise llama.cpp's fallbacks, and
/// <c>ffn_down</c>'s 172-wide rows fit no block type at all.
/// </summary>
public class GgufQuantizerTests(Stories260KGguf stories) : IClassFixture<Stories260KGguf>
{
    public static TheoryData<string> AllTypes() => [.. QuantizationRecipe.TypeNames];

    [Theory]
    [MemberData(nameof(AllTypes))]
    public void OutputHasThePlannedTypesTheMetadataAndDequantizesCloseToTheInput(string typeName)
    {
        Assert.True(QuantizationRecipe.TryParse(typeName, out var fileType));
        string output = Path.Combine(stories.Directory, $"quantized-{typeName}.gguf");
        var plan = GgufQuantizer.Quantize(stories.Path, output, new GgufQuantizeOptions(fileType) { Overwrite = true, Threads = 2 });

        using var input = GgufFile.Open(stories.Path);
        using var quantized = GgufFile.Open(output);
        Assert.Equal((uint)fileType, quantized.GetUInt32("general.file_type"));
        Assert.Equal(2u, quantized.GetUInt32("general.quantization_version"));
        foreach (var entry in input.Metadata.Where(m => m.Key is not ("general.file_type" or "general.quantization_version")))
            Assert.Equal(entry.Value.ToString(), quantized.GetValue(entry.Key).ToString());

        Assert.Equal(input.Tensors.Select(t => t.Name), quantized.Tensors.Select(t => t.Name));
        for (int i = 0; i < input.Tensors.Count; i++)
        {
            var (source, result) = (input.Tensors[i], quantized.Tensors[i]);
            Assert.Equal(plan[i].To, result.Type);
            Assert.Equal(source.Dimensions, result.Dimensions);
            if (source.Dimensions.Length == 1) Assert.Equal(GgmlType.F32, result.Type); // norms are never quantized

            // Relative RMS error of the whole tensor: what the type's bits allow, far below what a wrong layout gives (~1).
            var x = MemoryMarshal.Cast<byte, float>(input.GetTensorBytes(source));
            var y = new float[x.Length];
            int columns = (int)source.Dimensions[0];
            int rowBytes = (int)GgmlTypeInfo.RowBytes(result.Type, columns);
            var bytes = quantized.GetTensorBytes(result);
            for (int row = 0; row < x.Length / columns; row++)
                Dequantization.Row(result.Type, bytes.Slice(row * rowBytes, rowBytes), y.AsSpan(row * columns, columns));
            double error = 0, norm = 0;
            for (int k = 0; k < x.Length; k++)
            {
                error += (double)(x[k] - y[k]) * (x[k] - y[k]);
                norm += (double)x[k] * x[k];
            }
            double relative = Math.Sqrt(error / norm);
            Assert.True(relative < MaxRelativeError(result.Type),
                $"{typeName} {source.Name} as {GgmlTypeInfo.Name(result.Type)}: relative RMS error {relative:E2}");
        }
    }

    /// <summary>Generous bounds per type: a 2-bit code is coarse, a wrong nibble order or scale is not close at all.</summary>
    private static double MaxRelativeError(GgmlType type) => type switch
    {
        GgmlType.F32 => 0,
        GgmlType.F16 => 1e-3,
        GgmlType.Q8_0 => 0.01,
        GgmlType.Q6_K => 0.03,
        GgmlType.Q5_0 or GgmlType.Q5_1 or GgmlType.Q5_K => 0.07,
        GgmlType.Q4_0 or GgmlType.Q4_1 or GgmlType.Q4_K => 0.15,
        GgmlType.Q3_K => 0.3,
        _ => 0.6,
    } + 1e-12;

    [Fact]
    public void PlanForStories260KFollowsTheFallbacks()
    {
        using var file = GgufFile.Open(stories.Path);
        var plan = GgufQuantizer.Plan(file, LlamaFileType.MostlyQ4_K_M).ToDictionary(p => p.Name);
        // Tied embeddings, 64 columns: OUTPUT rule "nx % qk_k != 0" -> Q8_0.
        Assert.Equal(GgmlType.Q8_0, plan["token_embd.weight"].To);
        // use_more_bits(i, 5): i < 0 || i >= 4 || i % 3 == 2 -> layers 2 and 4 get Q6_K, which falls back to Q8_0;
        // the others get Q4_K, which falls back to Q5_0 (64 is not a multiple of 256).
        for (int layer = 0; layer < 5; layer++)
        {
            Assert.Equal(layer is 2 or 4 ? GgmlType.Q8_0 : GgmlType.Q5_0, plan[$"blk.{layer}.attn_v.weight"].To);
            Assert.Equal(GgmlType.Q5_0, plan[$"blk.{layer}.attn_q.weight"].To);
            Assert.Equal(GgmlType.F16, plan[$"blk.{layer}.ffn_down.weight"].To); // 172 columns fit no block type
            Assert.Equal(GgmlType.F32, plan[$"blk.{layer}.ffn_norm.weight"].To);
        }
    }

    [Fact]
    public void CancelledRunLeavesNoFile()
    {
        string output = Path.Combine(stories.Directory, "cancelled.gguf");
        using var cancellation = new CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() => GgufQuantizer.Quantize(stories.Path, output,
            new GgufQuantizeOptions(LlamaFileType.MostlyQ8_0), _ => cancellation.Cancel(), cancellation.Token));
        Assert.False(File.Exists(output));
        Assert.False(File.Exists(output + ".tmp"));
    }

    [Fact]
    public void FailedRunLeavesNoFileAndKeepsAnExistingOne()
    {
        string output = Path.Combine(stories.Directory, "failed.gguf");
        File.WriteAllText(output, "previous");
        int calls = 0;
        var e = Assert.Throws<IOException>(() => GgufQuantizer.Quantize(stories.Path, output,
            new GgufQuantizeOptions(LlamaFileType.MostlyQ4_0) { Overwrite = true },
            _ => { if (++calls == 5) throw new IOException("disk full (simulated)"); }));
        Assert.Equal("disk full (simulated)", e.Message);
        Assert.Equal("previous", File.ReadAllText(output));
        Assert.False(File.Exists(output + ".tmp"));
    }

    [Fact]
    public void ExistingOutputIsRefusedWithoutOverwrite()
    {
        string output = Path.Combine(stories.Directory, "exists.gguf");
        File.WriteAllText(output, "keep me");
        var e = Assert.Throws<IOException>(() => GgufQuantizer.Quantize(stories.Path, output, new GgufQuantizeOptions(LlamaFileType.MostlyQ8_0)));
        Assert.Contains("exists.gguf", e.Message);
        Assert.Equal("keep me", File.ReadAllText(output));
    }

    [Fact]
    public void QuantizedInputNeedsAllowRequantizeAndUnreadableTypesAreNamed()
    {
        string q8 = Path.Combine(stories.Directory, "requantize-source.gguf");
        GgufQuantizer.Quantize(stories.Path, q8, new GgufQuantizeOptions(LlamaFileType.MostlyQ8_0) { Overwrite = true });
        string output = Path.Combine(stories.Directory, "requantized.gguf");
        var e = Assert.Throws<InvalidDataException>(() => GgufQuantizer.Quantize(q8, output, new GgufQuantizeOptions(LlamaFileType.MostlyQ4_0)));
        // token_embd stays Q8_0 (tied, 64 wide: the output rule), so it is copied as is; attn_q is the first to requantize.
        Assert.Contains("blk.0.attn_q.weight", e.Message);
        Assert.Contains("--allow-requantize", e.Message);
        Assert.False(File.Exists(output));
        GgufQuantizer.Quantize(q8, output, new GgufQuantizeOptions(LlamaFileType.MostlyQ4_0) { AllowRequantize = true });
        using (var requantized = GgufFile.Open(output))
            Assert.True(requantized.TryGetTensor("blk.0.attn_q.weight", out var q) && q.Type == GgmlType.Q4_0);

        // Q8_1 has no dequantizer in ggml (it is an activation format), nor in LlamaGen.
        string odd = Path.Combine(stories.Directory, "q8_1.gguf");
        using (var stream = File.Create(odd))
        {
            var writer = new GgufWriter(stream);
            writer.AddMetadata("general.architecture", "llama").AddMetadata("llama.block_count", 1u);
            writer.AddTensor("blk.0.attn_q.weight", [32, 2], GgmlType.Q8_1);
            writer.WriteTensorData(new byte[2 * 36]);
            writer.Finish();
        }
        e = Assert.Throws<InvalidDataException>(() => GgufQuantizer.Quantize(odd, output,
            new GgufQuantizeOptions(LlamaFileType.MostlyQ4_0) { AllowRequantize = true, Overwrite = true }));
        Assert.Contains("'blk.0.attn_q.weight' is q8_1", e.Message);
        Assert.Contains(odd, e.Message);
    }
}
