using System.Reflection;
using System.Text.RegularExpressions;
using LlamaGen.Inference;
using LlamaGen.Models;
using LlamaGen.Quantization;
using LlamaGen.Runtime.Tests.Models;

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
            foreach (string type in new[] { "F32", "F16", "Q8_0", "Q4_0" })
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
                MatVecCheck.RunWindow(variant, data, rows - WindowRows, variantName + " last rows");
                KernelDispatch.With(isa, () => MatVecCheck.RunWindow(dispatched, data, 5, $"{dispatcher} as {isa}"));
            }
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

    [GeneratedRegex(@"^MatVec_(?<type>F32|F16|Q8_0|Q4_0)_(?<rows>\d+)x(?<columns>\d+)$")]
    private static partial Regex KernelName();
}
