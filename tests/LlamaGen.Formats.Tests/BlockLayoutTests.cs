using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using LlamaGen.Quantization;

namespace LlamaGen.Formats.Tests;

/// <summary>The block structs match ggml-common.h: sizes (its static_asserts, via GgmlTypeInfo) and field offsets.</summary>
public class BlockLayoutTests
{
    private static void AssertLayout<T>(GgmlType type, int size, int elements, params (string Field, int Offset)[] fields) where T : unmanaged
    {
        Assert.Equal(GgmlTypeInfo.BlockBytes(type), Unsafe.SizeOf<T>());
        Assert.Equal(GgmlTypeInfo.BlockBytes(type), Marshal.SizeOf<T>());
        Assert.Equal(GgmlTypeInfo.BlockBytes(type), size);
        Assert.Equal(GgmlTypeInfo.BlockSize(type), elements);
        foreach (var (field, offset) in fields)
            Assert.True(offset == (int)Marshal.OffsetOf<T>(field), $"{typeof(T).Name}.{field}: ggml offset {offset}, ours {Marshal.OffsetOf<T>(field)}");
    }

    [Fact]
    public void LegacyBlocksMatchGgml()
    {
        AssertLayout<BlockQ4_1>(GgmlType.Q4_1, BlockQ4_1.Size, BlockQ4_1.Elements, ("D", 0), ("M", 2), ("Qs", 4));
        AssertLayout<BlockQ5_0>(GgmlType.Q5_0, BlockQ5_0.Size, BlockQ5_0.Elements, ("D", 0), ("Qh", 2), ("Qs", 6));
        AssertLayout<BlockQ5_1>(GgmlType.Q5_1, BlockQ5_1.Size, BlockQ5_1.Elements, ("D", 0), ("M", 2), ("Qh", 4), ("Qs", 8));
    }

    [Fact]
    public void KQuantBlocksMatchGgml()
    {
        AssertLayout<BlockQ2_K>(GgmlType.Q2_K, BlockQ2_K.Size, BlockQ2_K.Elements, ("Scales", 0), ("Qs", 16), ("D", 80), ("DMin", 82));
        AssertLayout<BlockQ3_K>(GgmlType.Q3_K, BlockQ3_K.Size, BlockQ3_K.Elements, ("HMask", 0), ("Qs", 32), ("Scales", 96), ("D", 108));
        AssertLayout<BlockQ4_K>(GgmlType.Q4_K, BlockQ4_K.Size, BlockQ4_K.Elements, ("D", 0), ("DMin", 2), ("Scales", 4), ("Qs", 16));
        AssertLayout<BlockQ5_K>(GgmlType.Q5_K, BlockQ5_K.Size, BlockQ5_K.Elements, ("D", 0), ("DMin", 2), ("Scales", 4), ("Qh", 16), ("Qs", 48));
        AssertLayout<BlockQ6_K>(GgmlType.Q6_K, BlockQ6_K.Size, BlockQ6_K.Elements, ("Ql", 0), ("Qh", 128), ("Scales", 192), ("D", 208));
        AssertLayout<BlockQ8_K>(GgmlType.Q8_K, BlockQ8_K.Size, BlockQ8_K.Elements, ("D", 0), ("Qs", 4), ("BSums", 260));
    }

    [Fact]
    public void ScaleFieldsOfTheStructsAreWhereGgmlPutsThem()
    {
        // The validator's test table and the structs must agree, or one of them misreads ggml-common.h.
        Assert.Equal([(80, "d"), (82, "dmin")], GgmlBlockScales.Float16Fields(GgmlType.Q2_K));
        Assert.Equal((int)Marshal.OffsetOf<BlockQ3_K>("D"), GgmlBlockScales.Float16Fields(GgmlType.Q3_K)[0].Offset);
        Assert.Equal((int)Marshal.OffsetOf<BlockQ6_K>("D"), GgmlBlockScales.Float16Fields(GgmlType.Q6_K)[0].Offset);
        Assert.Equal((int)Marshal.OffsetOf<BlockQ4_K>("DMin"), GgmlBlockScales.Float16Fields(GgmlType.Q4_K)[1].Offset);
        Assert.Equal((int)Marshal.OffsetOf<BlockQ5_1>("M"), GgmlBlockScales.Float16Fields(GgmlType.Q5_1)[1].Offset);
    }
}
