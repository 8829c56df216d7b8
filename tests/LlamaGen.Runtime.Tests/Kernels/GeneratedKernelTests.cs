using LlamaGen.Generated;
using LlamaGen.Kernels;
using LlamaGen.Models;
using LlamaGen.Quantization;
using LlamaGen.TestModels;
using LlamaGen.TestSupport.Kernels;

namespace LlamaGen.Runtime.Tests.Kernels;

/// <summary>
/// The kernels the generator emitted into LlamaGen.TestModels, over the grid of (row length, weight type, ISA) they were
/// generated for: every row length of the test specs (stories260K's 64 and 172, the synthetic shapes, Llama 2 7B's 4096
/// and 11008), every weight type whose blocks fit it, every ISA this CPU runs, each against the plain scalar reference.
/// Rows are an argument of the kernels, so one row count with a partial group of 8 covers every matrix of a width. The
/// x86 kernels run twice where the CPU has AVX-VNNI: with it and with AVX2's byte products (what a CPU without it runs).
/// </summary>
public sealed class GeneratedKernelTests
{
    /// <summary>Two whole groups of 8 interleaved rows and a partial one.</summary>
    private const int Rows = 19;

    public static TheoryData<int, GgmlType> Grid()
    {
        var data = new TheoryData<int, GgmlType>();
        foreach (var (columns, type) in Keys()) data.Add(columns, type);
        return data;
    }

    /// <summary>The (row length, type) pairs the test specs need: both widths of each spec, its types whose blocks divide them.</summary>
    private static SortedSet<(int Columns, GgmlType Type)> Keys()
    {
        var keys = new SortedSet<(int, GgmlType)>();
        foreach (ModelDescriptor model in TestModelCatalog.All)
            foreach (int columns in new[] { model.Shape.EmbeddingLength, model.Shape.FeedForwardLength })
                foreach (GgmlType type in model.Shape.WeightTypes)
                    if (columns % GgmlTypeInfo.BlockSize(type) == 0) keys.Add((columns, type));
        return keys;
    }

    /// <summary>Every ISA this CPU runs, the x86 ones with and without AVX-VNNI where it has it.</summary>
    private static IEnumerable<(KernelIsa Isa, bool AvxVnni, string Label)> Variants()
    {
        foreach (KernelIsa isa in KernelSupport.Supported)
        {
            bool x86 = isa is KernelIsa.Avx2 or KernelIsa.Avx512;
            yield return (isa, x86 && System.Runtime.Intrinsics.X86.AvxVnni.IsSupported, isa.ToString());
            if (x86 && System.Runtime.Intrinsics.X86.AvxVnni.IsSupported) yield return (isa, false, isa + " without AVX-VNNI");
        }
    }

    [Fact]
    public void TheGridCoversEveryTypeAtTheLlama2_7BWidths()
    {
        var keys = Keys();
        foreach (int columns in new[] { 4096, 11008 })
            foreach (GgmlType type in Enum.GetValues<GgmlType>().Where(t => t is not (GgmlType.Q8_1 or GgmlType.Q8_K)))
                Assert.Contains((columns, type), keys);
        Assert.Contains((172, GgmlType.F32), keys); // a width that is no whole number of SIMD vectors
    }

    [Theory]
    [MemberData(nameof(Grid))]
    public void EveryIsaMatchesTheReference(int columns, GgmlType type)
    {
        var data = new MatVecCheck.Data(type, Rows, columns, seed: columns ^ (int)type);
        foreach (var (isa, avxVnni, variant) in Variants())
        {
            MatrixKernels kernels = KernelTable.Get(isa, type, columns, avxVnni);
            string label = $"{type} x {columns} on {variant}";
            MatVecCheck.Run(kernels, data, 0, Rows, label);
            MatVecCheck.Run(kernels, data, 3, Rows - 1, label + " rows [3, 18)");
            MatVecCheck.Run(kernels, data, 8, 16, label + " rows [8, 16)");
            MatVecCheck.Run(kernels, data, 5, 5, label + " no rows");
        }
    }

    /// <summary>
    /// The batched product of every kernel on every ISA (x86 has batched quantized kernels of its own; the others run the
    /// tokens one by one): token counts around the tiles, whole and partial row ranges.
    /// </summary>
    [Theory]
    [MemberData(nameof(Grid))]
    public void EveryBatchedProductMatchesTheReference(int columns, GgmlType type)
    {
        var data = new MatVecCheck.Data(type, Rows, columns, seed: columns ^ (int)type ^ 77);
        foreach (var (isa, avxVnni, variant) in Variants())
        {
            MatrixKernels kernels = KernelTable.Get(isa, type, columns, avxVnni);
            foreach (int tokens in new[] { 1, 2, 5, 9 })
            {
                string label = $"batched {type} x {columns} on {variant}, {tokens} tokens";
                MatVecCheck.RunBatch(kernels, data, tokens, 0, Rows, label);
                MatVecCheck.RunBatch(kernels, data, tokens, 3, Rows - 1, label + " rows [3, 18)");
            }
        }
    }

    /// <summary>
    /// A token's products are bit-identical whether the batched or the matrix-vector kernel computes them (same integer
    /// sums, same float operations in the same order), so a prompt processed in chunks and the same tokens decoded one by
    /// one leave the same KV cache.
    /// </summary>
    [Theory]
    [InlineData(172, GgmlType.F32)]
    [InlineData(64, GgmlType.Q4_0)]
    [InlineData(64, GgmlType.Q8_0)]
    [InlineData(4096, GgmlType.Q4_0)]
    [InlineData(11008, GgmlType.Q8_0)]
    [InlineData(64, GgmlType.Q4_1)]
    [InlineData(4096, GgmlType.Q5_1)]
    [InlineData(11008, GgmlType.Q5_0)]
    [InlineData(4096, GgmlType.Q4_K)]
    [InlineData(11008, GgmlType.Q6_K)]
    public unsafe void BatchedAndSingleTokenKernelsAgreeBitForBit(int columns, GgmlType type)
    {
        var data = new MatVecCheck.Data(type, Rows, columns, seed: 5);
        const int Tokens = 7;
        var random = new Random(9);
        var x = new float[Tokens * columns];
        byte[] inputs = [];
        int inputBytes = 0;
        for (int t = 0; t < Tokens; t++)
        {
            float[] xt = MatVecReference.RandomActivation(columns, random);
            xt.CopyTo(x, t * columns);
            byte[] input = data.ExpectedFor(xt).KernelInput;
            if (t == 0) inputs = new byte[Tokens * (inputBytes = input.Length)];
            input.CopyTo(inputs, t * inputBytes);
        }
        foreach (var (isa, avxVnni, variant) in Variants())
        {
            MatrixKernels kernels = KernelTable.Get(isa, type, columns, avxVnni);
            var batched = new float[Tokens * Rows];
            var oneByOne = new float[Tokens * Rows];
            fixed (byte* w = data.KernelWeights)
            fixed (float* px = x)
            fixed (byte* pi = inputs)
            fixed (float* pb = batched)
            fixed (float* po = oneByOne)
            {
                byte* q = inputBytes == 0 ? null : pi;
                kernels.MultiplyBatch(w, px, q, pb, Rows, Tokens, 0, Rows);
                for (int t = 0; t < Tokens; t++)
                    kernels.Multiply(w, px + t * columns, q == null ? null : q + t * inputBytes, po + t * Rows, 0, Rows);
            }
            for (int t = 0; t < Tokens; t++)
                for (int r = 0; r < Rows; r++)
                    Assert.True(batched[t * Rows + r].Equals(oneByOne[t * Rows + r]),
                        $"{type} x {columns} on {variant}: token {t} row {r}: batched {batched[t * Rows + r]:R}, single {oneByOne[t * Rows + r]:R}");
        }
    }
}
