using System.Reflection;
using LlamaGen.Generated;
using LlamaGen.Kernels;
using LlamaGen.Quantization;

namespace LlamaGen.Bench;

/// <summary>
/// Which generated kernels a benchmark runs: <see cref="Now"/>, this build's (through the kernel table), or
/// <see cref="Before"/>, the kernels of an earlier commit that <c>bench/compare-kernels.sh</c> compiles into this assembly
/// (as <c>LlamaGen.Bench.Baseline.Llama2_7bBefore.Kernels</c>, one method per shape, type and ISA), so both run in one
/// BenchmarkDotNet run on the same machine.
/// </summary>
public static unsafe class KernelBuilds
{
    public const string Now = "now";
    public const string Before = "before";

    private static readonly Type? Baseline = typeof(KernelBuilds).Assembly.GetType("LlamaGen.Bench.Baseline.Llama2_7bBefore+Kernels");

    /// <summary>The builds this assembly holds: "now", and "before" when compare-kernels.sh compiled a baseline in.</summary>
    public static IEnumerable<string> Available => Baseline is null ? [Now] : [Now, Before];

    public static MatVecCall MatVec(string build, KernelIsa isa, GgmlType type, int rows, int columns)
    {
        if (build == Now)
        {
            MatrixKernels kernels = KernelTable.Get(isa, type, columns);
            if (kernels.IsEmpty) throw new ArgumentException($"No {isa} kernel for {type} rows of {columns}.");
            return new MatVecCall(kernels);
        }
        string name = $"MatVec_{type}_{rows}x{columns}_{isa}";
        MethodInfo method = (Baseline ?? throw new InvalidOperationException("No baseline kernels: run bench/compare-kernels.sh."))
            .GetMethod(name, BindingFlags.Public | BindingFlags.Static) ?? throw new ArgumentException($"The baseline has no {name}.");
        return new MatVecCall((delegate*<byte*, float*, byte*, float*, int, int, void>)method.MethodHandle.GetFunctionPointer());
    }
}

/// <summary>
/// A matrix-vector kernel of either build: today's (the row length an argument) or a baseline's (the shape in its
/// name, no row length argument). One predictable branch per product, against milliseconds of kernel.
/// </summary>
public readonly unsafe struct MatVecCall
{
    private readonly MatrixKernels now;
    private readonly delegate*<byte*, float*, byte*, float*, int, int, void> before;

    public MatVecCall(MatrixKernels now) => this.now = now;

    public MatVecCall(delegate*<byte*, float*, byte*, float*, int, int, void> before) => this.before = before;

    public void Invoke(byte* weights, float* x, byte* xq8, float* y, int rowStart, int rowEnd)
    {
        if (before != null) before(weights, x, xq8, y, rowStart, rowEnd);
        else now.Multiply(weights, x, xq8, y, rowStart, rowEnd);
    }
}
