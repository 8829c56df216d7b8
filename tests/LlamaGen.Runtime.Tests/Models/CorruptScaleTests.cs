using LlamaGen.Conversion;
using LlamaGen.Gguf;
using LlamaGen.TestModels;
using LlamaGen.Quantization;
using LlamaGen.TestSupport.Reference;

namespace LlamaGen.Runtime.Tests.Models;

/// <summary>
/// A NaN or infinite block scale (or Q4_1/Q5_1 minimum) in a matrix of an interleaved type is refused when the model
/// loads (the interleaved kernels would turn it into a finite, wrong value), with the file, tensor, block and absolute
/// byte offset in the message.
/// </summary>
public sealed class CorruptScaleTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("llamagen-corrupt-scale-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Theory]
    [InlineData(GgmlType.Q4_0, "blk.1.ffn_down.weight", 5, (ushort)0x7E00)] // NaN
    [InlineData(GgmlType.Q8_0, "blk.0.attn_q.weight", 0, (ushort)0xFC00)]  // -infinity
    [InlineData(GgmlType.Q4_0, "output.weight", 1234, (ushort)0x7C00)]     // +infinity
    [InlineData(GgmlType.Q5_0, "blk.0.ffn_up.weight", 7, (ushort)0x7C01)]  // NaN
    [InlineData(GgmlType.Q4_1, "blk.1.attn_k.weight", 3, (ushort)0xFC00)]  // -infinity
    [InlineData(GgmlType.Q5_1, "output.weight", 99, (ushort)0x7E00)]       // NaN
    public void LoadingRefusesANonFiniteScale(GgmlType type, string tensorName, int block, ushort bits) =>
        AssertLoadingRefuses(type, tensorName, block, fieldOffset: 0, "d", bits);

    /// <summary>Q4_1 and Q5_1 blocks have a second f16, the minimum <c>m</c> at byte 2, which the kernels widen the same way.</summary>
    [Theory]
    [InlineData(GgmlType.Q4_1, "blk.0.attn_v.weight", 11, (ushort)0x7C00)] // +infinity
    [InlineData(GgmlType.Q5_1, "blk.1.ffn_gate.weight", 0, (ushort)0xFE00)] // NaN
    public void LoadingRefusesANonFiniteMinimum(GgmlType type, string tensorName, int block, ushort bits) =>
        AssertLoadingRefuses(type, tensorName, block, fieldOffset: 2, "m", bits);

    /// <summary>
    /// The K-quants' f16 super-block scales (<c>d</c>, and <c>dmin</c> for Q2_K/Q4_K/Q5_K) are refused the same way when
    /// <see cref="LlamaGen.Quantization.KQuantInterleavedLayout"/> repacks them (on llama2-test-k, whose rows are whole
    /// super-blocks).
    /// </summary>
    [Theory]
    [InlineData(GgmlType.Q4_K, "blk.0.attn_q.weight", 3, 0, "d", (ushort)0x7C00)]       // +infinity
    [InlineData(GgmlType.Q4_K, "blk.1.ffn_down.weight", 17, 2, "dmin", (ushort)0x7E00)] // NaN
    [InlineData(GgmlType.Q6_K, "output.weight", 1000, 208, "d", (ushort)0xFC00)]       // -infinity
    [InlineData(GgmlType.Q5_K, "blk.1.attn_v.weight", 0, 2, "dmin", (ushort)0xFC00)]    // -infinity
    [InlineData(GgmlType.Q3_K, "blk.0.ffn_up.weight", 5, 108, "d", (ushort)0x7C01)]    // NaN
    [InlineData(GgmlType.Q2_K, "blk.0.attn_k.weight", 1, 82, "dmin", (ushort)0x7C00)]  // +infinity
    public void LoadingRefusesANonFiniteSuperBlockScale(GgmlType type, string tensorName, int block, int fieldOffset, string field, ushort bits) =>
        AssertLoadingRefuses(type, tensorName, block, fieldOffset, field, bits);

    private void AssertLoadingRefuses(GgmlType type, string tensorName, int block, int fieldOffset, string field, ushort bits)
    {
        string path = Path.Combine(directory, $"small-{type}.gguf");
        bool kQuant = KQuantInterleavedLayout.IsKQuant(type);
        SyntheticModelWriter.Write(kQuant ? Llama2TestK.Spec : Llama2TestSmall.Spec, type, ReferenceFixtures.TinyRandomGguf, path, seed: 3);
        Func<GgufFile, IDisposable> load = kQuant ? f => Llama2TestK.Load(f) : f => Llama2TestSmall.Load(f);
        long offset;
        using (var clean = GgufFile.Open(path))
        {
            Assert.True(clean.TryGetTensor(tensorName, out GgufTensorInfo tensor));
            Assert.Equal(type, tensor.Type);
            offset = clean.DataOffset + tensor.Offset + (long)block * GgmlTypeInfo.BlockBytes(type) + fieldOffset;
            load(clean).Dispose(); // the clean file loads
        }
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Write))
        {
            stream.Position = offset;
            stream.Write(BitConverter.GetBytes(bits));
        }

        using var file = GgufFile.Open(path);
        var error = Assert.Throws<GgufFormatException>(() => load(file));
        Assert.Contains(path, error.Message);
        Assert.Contains(tensorName, error.Message);
        Assert.Contains($"block {block} scale {field}", error.Message);
        Assert.Contains(offset.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message);
    }
}
