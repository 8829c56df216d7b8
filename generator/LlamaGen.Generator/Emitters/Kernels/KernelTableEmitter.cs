using System.Collections.Generic;
using System.Globalization;
using LlamaGen.Generator.Helpers;
using LlamaGen.Generator.Model;
using LlamaGen.Generator.Shared;

namespace LlamaGen.Generator.Emitters.Kernels;

/// <summary>
/// Emits <c>LlamaGen.Generated.KernelTable</c>: for an ISA, a weight type and a row length, the kernels a model binds to
/// a matrix at load (<c>MatrixKernels</c>: the matrix-vector kernel, the batched one where the ISA has its own, the input
/// the kernels read and the row length they are called with). AVX-512 reuses the AVX2 integer kernels where it has none
/// of its own. With the benchmarks' option, also <c>ConstantShapeKernelTable</c>, the same for the constant-shape copies.
/// </summary>
internal static class KernelTableEmitter
{
    private const string Kernels = "global::LlamaGen.Kernels.";
    private const string Types = "global::LlamaGen.Quantization.GgmlType.";

    public static string Emit(IReadOnlyList<GgmlType> types)
    {
        SourceWriter w = KernelSourceEmitter.Open("the kernel table of every [LlamaModel] in this compilation");
        w.Line("/// <summary>The compiled kernels by (ISA, weight type), for the models' binding.</summary>");
        KernelSourceEmitter.Attributes(w);
        w.Open("internal static unsafe class KernelTable");
        w.Line("/// <summary>");
        w.Line("/// The kernels for rows of <paramref name=\"columns\"/> weights of <paramref name=\"type\"/> on <paramref name=\"isa\"/>;");
        w.Line("/// empty (<c>IsEmpty</c>) when this compilation has none for the type, or the rows are no whole number of its blocks.");
        w.Line("/// </summary>");
        w.Line($"public static {Kernels}MatrixKernels Get({Kernels}KernelIsa isa, global::LlamaGen.Quantization.GgmlType type, int columns) =>");
        w.Line("    Get(isa, type, columns, global::System.Runtime.Intrinsics.X86.AvxVnni.IsSupported);");
        w.Line();
        EmitVnniGetDocumentation(w);
        w.Open($"public static {Kernels}MatrixKernels Get({Kernels}KernelIsa isa, global::LlamaGen.Quantization.GgmlType type, int columns, bool avxVnni)");
        w.Line("if (columns <= 0) return default;");
        w.Open("return isa switch");
        foreach (KernelIsa isa in KernelIsas.All)
            w.Line($"{Kernels}KernelIsa.{isa} => {Dispatch(isa)},");
        w.Line("_ => default,");
        w.Close(";");
        w.Close();
        foreach (KernelIsa isa in KernelIsas.All)
        {
            w.Line();
            w.Open($"private static {Kernels}MatrixKernels {TableMethod(isa)}(global::LlamaGen.Quantization.GgmlType type, int columns){Constraint(isa)} => type switch");
            foreach (GgmlType type in types)
            {
                int block = GgmlBlocks.Of(type).Elements;
                string when = block == 1 ? "" : $" when columns % {block.ToString(CultureInfo.InvariantCulture)} == 0";
                w.Line($"{Types}{type}{when} => new(&{MatVec(type, isa, "MatVec_" + type)}, {MatMul(type, isa, "MatMul_" + type)}, {Kernels}KernelInput.{Input(type)}, columns),");
            }
            w.Line("_ => default,");
            w.Close(";");
        }
        w.Close();
        return w.ToString();
    }

    /// <summary>
    /// <c>ConstantShapeKernelTable</c>: the constant-shape copies by (ISA, type, row length), for the benchmarks that
    /// compare them with the kernels models run.
    /// </summary>
    public static string EmitConstantShapes(IReadOnlyList<KernelKey> keys)
    {
        SourceWriter w = KernelSourceEmitter.Open("the constant-shape kernels of this compilation, for benchmarks");
        w.Line("/// <summary>The constant-shape kernel copies by (ISA, weight type, row length): what the benchmarks compare the kernels with.</summary>");
        KernelSourceEmitter.Attributes(w);
        w.Open("internal static unsafe class ConstantShapeKernelTable");
        w.Line($"public static {Kernels}MatrixKernels Get({Kernels}KernelIsa isa, global::LlamaGen.Quantization.GgmlType type, int columns) =>");
        w.Line("    Get(isa, type, columns, global::System.Runtime.Intrinsics.X86.AvxVnni.IsSupported);");
        w.Line();
        EmitVnniGetDocumentation(w);
        w.Open($"public static {Kernels}MatrixKernels Get({Kernels}KernelIsa isa, global::LlamaGen.Quantization.GgmlType type, int columns, bool avxVnni) => isa switch");
        foreach (KernelIsa isa in KernelIsas.All)
            w.Line($"{Kernels}KernelIsa.{isa} => {Dispatch(isa)},");
        w.Line("_ => default,");
        w.Close(";");
        foreach (KernelIsa isa in KernelIsas.All)
        {
            w.Line();
            w.Open($"private static {Kernels}MatrixKernels {TableMethod(isa)}(global::LlamaGen.Quantization.GgmlType type, int columns){Constraint(isa)} => (type, columns) switch");
            foreach (KernelKey key in keys)
            {
                string columns = key.Columns.ToString(CultureInfo.InvariantCulture);
                w.Line($"({Types}{key.TypeName}, {columns}) => new(&{MatVec(key.Type, isa, key.MatVecName)}, {MatMul(key.Type, isa, key.MatMulName)}, {Kernels}KernelInput.{Input(key.Type)}, {columns}),");
            }
            w.Line("_ => default,");
            w.Close(";");
        }
        w.Close();
        return w.ToString();
    }

    private static void EmitVnniGetDocumentation(SourceWriter w)
    {
        w.Line("/// <summary>");
        w.Line("/// The same, with the x86 kernels' byte dot products on AVX-VNNI or not (<paramref name=\"avxVnni\"/>; the other overload");
        w.Line("/// asks the CPU). Tests run both on a CPU that has it; a kernel that uses AVX-VNNI throws where the CPU lacks it.");
        w.Line("/// </summary>");
    }

    /// <summary>How <c>Get</c> reaches an ISA's table: the x86 ones with the AVX-VNNI choice as the type argument.</summary>
    private static string Dispatch(KernelIsa isa) => KernelIsas.TakesVnniChoice(isa)
        ? $"avxVnni ? {isa}<{Kernels}WithAvxVnni>(type, columns) : {isa}<{Kernels}WithoutAvxVnni>(type, columns)"
        : $"{isa}(type, columns)";

    private static string TableMethod(KernelIsa isa) => KernelIsas.TakesVnniChoice(isa) ? $"{isa}<{KernelIsas.VnniParameter}>" : isa.ToString();

    private static string Constraint(KernelIsa isa) => KernelIsas.TakesVnniChoice(isa) ? " " + KernelIsas.VnniConstraint : "";

    private static string MatVec(GgmlType type, KernelIsa isa, string name)
    {
        bool own = FloatKernelEmitter.Handles(type)
            || (InterleavedKernelEmitter.Handles(type) && InterleavedKernelEmitter.HasMatVec(isa))
            || (KQuantKernelEmitter.Handles(type) && KQuantKernelEmitter.HasMatVec(isa));
        return KernelIsas.KernelClass(own ? isa : KernelIsa.Avx2) + "." + name;
    }

    /// <summary>The batched kernel, or null where the runtime runs the tokens through the matrix-vector kernel one by one.</summary>
    private static string MatMul(GgmlType type, KernelIsa isa, string name)
    {
        if (InterleavedKernelEmitter.Handles(type) && InterleavedKernelEmitter.HasMatMul(isa))
            return "&" + KernelIsas.KernelClass(isa) + "." + name;
        if (KQuantKernelEmitter.Handles(type) && KQuantKernelEmitter.HasMatMul(isa))
            return "&" + KernelIsas.KernelClass(isa) + "." + name;
        return "null";
    }

    private static string Input(GgmlType type) =>
        GgmlBlocks.IsLegacyQuant(type) ? "Q8_0" : GgmlBlocks.IsKQuant(type) ? "Q8_K" : "Floats";
}
