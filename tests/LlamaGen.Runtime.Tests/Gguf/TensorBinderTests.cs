using LlamaGen.Gguf;
using LlamaGen.Quantization;
using LlamaGen.Models;

namespace LlamaGen.Runtime.Tests.Gguf;

public class TensorBinderTests
{
    [Theory]
    [InlineData(GgmlType.F32)]
    [InlineData(GgmlType.F16)]
    [InlineData(GgmlType.Q8_0)]
    [InlineData(GgmlType.Q4_0)]
    public void BindsEverySlotAndFallsBackToTheTiedEmbedding(GgmlType type)
    {
        var shape = TinyLlamaGguf.Shape(type);
        var slots = TinyLlamaGguf.Slots(shape);
        using var file = TinyLlamaGguf.Write(shape, type);
        using var gguf = GgufFile.Open(file.Path);

        var bound = TensorBinder.Bind(gguf, shape, slots);

        Assert.Equal(slots.Length, bound.Length);
        for (int i = 0; i < slots.Length; i++)
        {
            string name = slots[i].Name == "output.weight" ? "token_embd.weight" : slots[i].Name;
            Assert.True(gguf.TryGetTensor(name, out var tensor));
            Assert.Equal(gguf.GetTensorPointer(tensor), bound[i].Data);
            Assert.Equal(slots[i].Rows, bound[i].Rows);
            Assert.Equal(slots[i].Columns, bound[i].Columns);
            Assert.Equal(tensor.Type, bound[i].Type);
            Assert.Equal(tensor.ByteLength, bound[i].Rows * bound[i].RowBytes);
        }
    }

    [Fact]
    public void UsesOutputWeightWhenPresent()
    {
        var shape = TinyLlamaGguf.Shape();
        using var file = TinyLlamaGguf.Write(shape, GgmlType.F32, withOutput: true);
        using var gguf = GgufFile.Open(file.Path);
        var bound = TensorBinder.Bind(gguf, shape, TinyLlamaGguf.Slots(shape));
        Assert.True(gguf.TryGetTensor("output.weight", out var output));
        Assert.Equal(gguf.GetTensorPointer(output), bound[^1].Data);
    }

    private static ModelMismatchException BindFails(ModelShape shape, GgmlType fileType,
        Func<List<(string Name, long[] Dims, GgmlType Type)>, List<(string Name, long[] Dims, GgmlType Type)>> edit)
    {
        using var file = TinyLlamaGguf.Write(shape, fileType, edit);
        using var gguf = GgufFile.Open(file.Path);
        var e = Assert.Throws<ModelMismatchException>(() => TensorBinder.Bind(gguf, shape, TinyLlamaGguf.Slots(shape)));
        Assert.Equal(file.Path, e.FilePath);
        Assert.StartsWith(file.Path + ": tensor '" + e.TensorName + "'", e.Message);
        return e;
    }

    [Fact]
    public void MissingTensor()
    {
        var e = BindFails(TinyLlamaGguf.Shape(), GgmlType.F32, t => t.Where(x => x.Name != "blk.1.ffn_up.weight").ToList());
        Assert.Equal("blk.1.ffn_up.weight", e.TensorName);
        Assert.Contains("is missing", e.Message);
    }

    [Fact]
    public void MissingTensorAndFallback()
    {
        var e = BindFails(TinyLlamaGguf.Shape(), GgmlType.F32, t => t.Where(x => x.Name != "token_embd.weight").ToList());
        Assert.Equal("token_embd.weight", e.TensorName);
    }

    [Fact]
    public void WrongRowCount()
    {
        var e = BindFails(TinyLlamaGguf.Shape(), GgmlType.F32,
            t => t.Select(x => x.Name == "blk.0.attn_k.weight" ? (x.Name, new long[] { 32, 32 }, x.Type) : x).ToList());
        Assert.Equal("blk.0.attn_k.weight", e.TensorName);
        Assert.Contains("has shape [32, 32], expected [32, 16]: ne[1] (rows) is 32, expected 16", e.Message);
    }

    [Fact]
    public void TransposedMatrix()
    {
        var e = BindFails(TinyLlamaGguf.Shape(), GgmlType.F32,
            t => t.Select(x => x.Name == "blk.0.ffn_down.weight" ? (x.Name, new long[] { 32, 64 }, x.Type) : x).ToList());
        Assert.Contains("ne[0] (row length) is 32, expected 64", e.Message);
    }

    [Fact]
    public void VectorWithExtraDimension()
    {
        var e = BindFails(TinyLlamaGguf.Shape(), GgmlType.F32,
            t => t.Select(x => x.Name == "output_norm.weight" ? (x.Name, new long[] { 32, 1 }, x.Type) : x).ToList());
        Assert.Equal("output_norm.weight", e.TensorName);
        Assert.Contains("it has 2 dimensions", e.Message);
    }

    [Fact]
    public void NormWeightThatIsNotF32()
    {
        var e = BindFails(TinyLlamaGguf.Shape(), GgmlType.F32,
            t => t.Select(x => x.Name == "blk.0.ffn_norm.weight" ? (x.Name, x.Dims, GgmlType.F16) : x).ToList());
        Assert.Equal("blk.0.ffn_norm.weight", e.TensorName);
        Assert.Contains("has type f16; vectors (norm weights) must be f32", e.Message);
    }

    [Fact]
    public void MatrixTypeNotInTheSpec()
    {
        var shape = TinyLlamaGguf.Shape(GgmlType.Q4_0);
        var e = BindFails(shape, GgmlType.Q4_0,
            t => t.Select(x => x.Name == "blk.1.attn_v.weight" ? (x.Name, x.Dims, GgmlType.Q8_0) : x).ToList());
        Assert.Equal("blk.1.attn_v.weight", e.TensorName);
        Assert.Contains("has type q8_0, but the spec 'tiny' compiles kernels only for q4_0", e.Message);
        Assert.Contains("add \"q8_0\" to weight_types", e.Message);
    }
}
