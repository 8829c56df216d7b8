using System.Reflection;
using System.Text.RegularExpressions;
using LlamaGen.Catalog;
using LlamaGen.Quantization;
using LlamaGen.Runtime.Tests.Models;
using LlamaGen.Kernels;

namespace LlamaGen.Runtime.Tests.Kernels;

/// <summary>
/// The kernels the generator emitted into LlamaGen.Models for stories260K and Llama 2 7B: every (shape, weight
/// type) found by reflection, every variant this CPU supports, against the scalar reference. For the large
/// Llama shapes the first and last rows are checked (a window of rows is allocated, not the whole matrix).
/// </summary>
[Collection(KernelDispatchCollection.Name)]
public sealed partial class GeneratedKernelTests
{
    private const int WindowRows = 10;

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (Type model in new[] { typeof(Stories260K), typeof(Llama2_7B) })
            foreach (string name in DispatcherNames(model))
                data.Add(model.Name, name);
        return data;
    }

    [Fact]
    public void BothModelsHaveKernelsForEveryShape()
    {
        // stories260K: dim 64, kv dim 32, hidden 172, vocab 512; Llama 2 7B: dim 4096, hidden 11008, vocab 32000.
        string[] stories = DispatcherNames(typeof(Stories260K)).ToArray();
        foreach (string shape in new[] { "64x64", "32x64", "172x64", "64x172", "512x64" })
            Assert.Contains(stories, n => n.EndsWith("_" + shape, StringComparison.Ordinal));
        string[] llama = DispatcherNames(typeof(Llama2_7B)).ToArray();
        foreach (string shape in new[] { "4096x4096", "11008x4096", "4096x11008", "32000x4096" })
            foreach (string type in new[] { "F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1" })
                Assert.Contains($"MatVec_{type}_{shape}", llama);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void EveryVariantMatchesTheReference(string model, string dispatcher)
    {
        Type kernels = KernelsOf(model == nameof(Llama2_7B) ? typeof(Llama2_7B) : typeof(Stories260K));
        Match m = KernelName().Match(dispatcher);
        Assert.True(m.Success, dispatcher);
        GgmlType type = Enum.Parse<GgmlType>(m.Groups["type"].Value);
        int rows = int.Parse(m.Groups["rows"].Value), columns = int.Parse(m.Groups["columns"].Value);

        bool whole = rows <= 512;
        var data = new MatVecCheck.Data(type, whole ? rows : WindowRows, columns, seed: rows ^ columns ^ (int)type);
        foreach (KernelIsa isa in KernelDispatch.Supported)
        {
            string variantName = $"{dispatcher}_{isa}";
            MatVecKernelFunction variant = Function(kernels, variantName);
            MatVecKernelFunction dispatched = Function(kernels, dispatcher);
            if (whole)
            {
                MatVecCheck.Run(variant, data, 0, rows, variantName);
                MatVecCheck.Run(variant, data, 3, rows - 1, variantName + " rows [3, Rows - 1)");
                KernelDispatch.With(isa, () => MatVecCheck.Run(dispatched, data, 0, rows, $"{dispatcher} as {isa}"));
            }
            else
            {
                MatVecCheck.RunWindow(variant, data, 0, variantName + " first rows");
                // Windows of interleaved matrices start on a group of 8 rows; the last one ends mid-group.
                MatVecCheck.RunWindow(variant, data, (rows - WindowRows) & ~7, variantName + " last rows");
                KernelDispatch.With(isa, () => MatVecCheck.RunWindow(dispatched, data, 8, $"{dispatcher} as {isa}"));
            }
        }
    }

    /// <summary>
    /// The batched sibling (<c>MatMul_*</c>) of every kernel, through its dispatcher on every ISA (x86 has tiled
    /// quantized kernels; the others loop over tokens): token counts around the tile size, whole and partial row ranges.
    /// </summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void EveryBatchedKernelMatchesTheReference(string model, string dispatcher)
    {
        Type kernels = KernelsOf(model == nameof(Llama2_7B) ? typeof(Llama2_7B) : typeof(Stories260K));
        Match m = KernelName().Match(dispatcher);
        GgmlType type = Enum.Parse<GgmlType>(m.Groups["type"].Value);
        int rows = int.Parse(m.Groups["rows"].Value), columns = int.Parse(m.Groups["columns"].Value);
        string batchName = "MatMul" + dispatcher["MatVec".Length..];
        var batch = (kernels.GetMethod(batchName, BindingFlags.Public | BindingFlags.Static)
            ?? throw new InvalidOperationException($"{kernels.FullName} has no {batchName}.")).CreateDelegate<MatMulKernelFunction>();

        bool whole = rows <= 512;
        var data = new MatVecCheck.Data(type, whole ? rows : 16, columns, seed: rows ^ columns ^ (int)type ^ 77);
        foreach (KernelIsa isa in KernelDispatch.Supported)
        {
            foreach (int tokens in new[] { 1, 2, 5, 9 })
            {
                string label = $"{batchName} as {isa}, {tokens} tokens";
                KernelDispatch.With(isa, () =>
                {
                    if (whole)
                    {
                        MatVecCheck.RunBatch(batch, data, rows, tokens, 0, rows, 0, label);
                        MatVecCheck.RunBatch(batch, data, rows, tokens, 3, rows - 1, 0, label + " rows [3, Rows - 1)");
                    }
                    else
                    {
                        MatVecCheck.RunBatch(batch, data, rows, tokens, rows - 16, rows - 3, rows - 16, label + " last rows");
                    }
                });
            }
        }
    }

    /// <summary>
    /// A token's products are bit-identical whether the batched or the single-token kernel computes them (same integer
    /// sums, same float operations in the same order), so a prompt processed in chunks and the same tokens decoded one
    /// by one leave the same KV cache.
    /// </summary>
    [Theory]
    [InlineData("Stories260K", "MatVec_Q4_0_172x64")]
    [InlineData("Stories260K", "MatVec_Q8_0_64x64")]
    [InlineData("Llama2_7B", "MatVec_Q4_0_4096x4096")]
    [InlineData("Llama2_7B", "MatVec_Q8_0_4096x11008")]
    [InlineData("Stories260K", "MatVec_Q4_1_64x64")]
    [InlineData("Stories260K", "MatVec_Q5_0_512x64")]
    [InlineData("Llama2_7B", "MatVec_Q5_1_4096x4096")]
    [InlineData("Llama2_7B", "MatVec_Q5_0_4096x11008")]
    public unsafe void BatchedAndSingleTokenKernelsAgreeBitForBit(string model, string dispatcher)
    {
        Type kernels = KernelsOf(model == nameof(Llama2_7B) ? typeof(Llama2_7B) : typeof(Stories260K));
        Match m = KernelName().Match(dispatcher);
        GgmlType type = Enum.Parse<GgmlType>(m.Groups["type"].Value);
        int rows = int.Parse(m.Groups["rows"].Value), columns = int.Parse(m.Groups["columns"].Value);
        int window = Math.Min(rows, 24);
        var data = new MatVecCheck.Data(type, window, columns, seed: 5);
        MatVecKernelFunction single = Function(kernels, dispatcher);
        var batch = kernels.GetMethod("MatMul" + dispatcher["MatVec".Length..])!.CreateDelegate<MatMulKernelFunction>();
        const int Tokens = 7;
        var random = new Random(9);
        int inputBytes = ActivationQuantizer.KernelInputBytes(columns);
        var x = new float[Tokens * columns];
        var inputs = new byte[Tokens * inputBytes];
        for (int t = 0; t < Tokens; t++)
        {
            MatVecReference.RandomActivation(columns, random).CopyTo(x, t * columns);
            fixed (float* px = &x[t * columns])
            fixed (byte* pi = &inputs[t * inputBytes])
            {
                ActivationQuantizer.QuantizeKernelInput(px, pi, columns);
            }
        }
        foreach (KernelIsa isa in KernelDispatch.Supported)
        {
            var batched = new float[Tokens * rows];
            var oneByOne = new float[Tokens * rows];
            KernelDispatch.With(isa, () =>
            {
                fixed (byte* w = data.KernelWeights)
                fixed (float* px = x)
                fixed (byte* pi = inputs)
                fixed (float* pb = batched)
                fixed (float* po = oneByOne)
                {
                    batch(w, px, pi, pb, Tokens, 0, window);
                    for (int t = 0; t < Tokens; t++)
                        single(w, px + t * columns, pi + t * inputBytes, po + t * rows, 0, window);
                }
            });
            for (int t = 0; t < Tokens; t++)
                for (int r = 0; r < window; r++)
                    Assert.True(batched[t * rows + r].Equals(oneByOne[t * rows + r]),
                        $"{dispatcher} on {isa}: token {t} row {r}: batched {batched[t * rows + r]:R}, single {oneByOne[t * rows + r]:R}");
        }
    }

    private static IEnumerable<string> DispatcherNames(Type model) =>
        KernelsOf(model).GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Select(m => m.Name)
            .Where(n => KernelName().IsMatch(n))
            .Distinct()
            .Order(StringComparer.Ordinal);

    private static Type KernelsOf(Type model) =>
        model.GetNestedType("Kernels", BindingFlags.Public) ?? throw new InvalidOperationException($"{model.Name} has no nested Kernels class.");

    private static MatVecKernelFunction Function(Type kernels, string name) =>
        (kernels.GetMethod(name, BindingFlags.Public | BindingFlags.Static) ?? throw new InvalidOperationException($"{kernels.FullName} has no {name}."))
            .CreateDelegate<MatVecKernelFunction>();

    [GeneratedRegex(@"^MatVec_(?<type>F32|F16|BF16|Q8_0|Q4_0|Q4_1|Q5_0|Q5_1|Q2_K|Q3_K|Q4_K|Q5_K|Q6_K)_(?<rows>\d+)x(?<columns>\d+)$")]
    private static partial Regex KernelName();
}
