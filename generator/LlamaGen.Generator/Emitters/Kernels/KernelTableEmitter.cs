using System.Collections.Generic;
using System.Globalization;
using LlamaGen.Generator.Helpers;
using LlamaGen.Generator.Model;
using LlamaGen.Generator.Shared;

namespace LlamaGen.Generator.Emitters.Kernels;

/// <summary>
/// Emits <c>LlamaGen.Generated.KernelTable</c>: for an ISA, a weight type and a row length, the kernels a model binds to
/// a matrix at load (<c>MatrixKernels</c>: the matrix-vector kernel, the batched one where the ISA has its own, and the
/// input the kernels read). AVX-512 reuses the AVX2 integer kernels where it has none of its own.
/// </summary>
internal static class KernelTableEmitter
{
    private const string Kernels = "global::LlamaGen.Kernels.";

    public static string Emit(IReadOnlyList<KernelKey> keys)
    {
        SourceWriter w = KernelSourceEmitter.Open("the kernel table of every [LlamaModel] in this compilation");
        w.Line("/// <summary>The compiled kernels by (ISA, weight type, row length), for the models' binding.</summary>");
        KernelSourceEmitter.Attributes(w);
        w.Open("internal static unsafe class KernelTable");
        w.Line("/// <summary>");
        w.Line("/// The kernels for rows of <paramref name=\"columns\"/> weights of <paramref name=\"type\"/> on <paramref name=\"isa\"/>;");
        w.Line("/// empty (<c>IsEmpty</c>) when this compilation has none.");
        w.Line("/// </summary>");
        w.Open($"public static {Kernels}MatrixKernels Get({Kernels}KernelIsa isa, global::LlamaGen.Quantization.GgmlType type, int columns) => isa switch");
        foreach (KernelIsa isa in KernelIsas.All)
            w.Line($"{Kernels}KernelIsa.{isa} => {isa}(type, columns),");
        w.Line("_ => default,");
        w.Close(";");
        foreach (KernelIsa isa in KernelIsas.All)
        {
            w.Line();
            w.Open($"private static {Kernels}MatrixKernels {isa}(global::LlamaGen.Quantization.GgmlType type, int columns) => (type, columns) switch");
            foreach (KernelKey key in keys)
            {
                string columns = key.Columns.ToString(CultureInfo.InvariantCulture);
                w.Line($"(global::LlamaGen.Quantization.GgmlType.{key.TypeName}, {columns}) => new(&{MatVec(key, isa)}, {MatMul(key, isa)}, {Kernels}KernelInput.{Input(key.Type)}, {columns}),");
            }
            w.Line("_ => default,");
            w.Close(";");
        }
        w.Close();
        return w.ToString();
    }

    private static string MatVec(KernelKey key, KernelIsa isa)
    {
        bool own = FloatKernelEmitter.Handles(key.Type)
            || (InterleavedKernelEmitter.Handles(key.Type) && InterleavedKernelEmitter.HasMatVec(isa))
            || (KQuantKernelEmitter.Handles(key.Type) && KQuantKernelEmitter.HasMatVec(isa));
        return KernelIsas.KernelClass(own ? isa : KernelIsa.Avx2) + "." + key.MatVecName;
    }

    /// <summary>The batched kernel, or null where the runtime runs the tokens through the matrix-vector kernel one by one.</summary>
    private static string MatMul(KernelKey key, KernelIsa isa)
    {
        if (InterleavedKernelEmitter.Handles(key.Type) && InterleavedKernelEmitter.HasMatMul(isa))
            return "&" + KernelIsas.KernelClass(isa) + "." + key.MatMulName;
        if (KQuantKernelEmitter.Handles(key.Type) && isa is KernelIsa.Avx2 or KernelIsa.Avx512)
            return "&" + KernelIsas.KernelClass(KernelIsa.Avx2) + "." + key.MatMulName;
        return "null";
    }

    private static string Input(GgmlType type) =>
        GgmlBlocks.IsLegacyQuant(type) ? "Q8_0" : GgmlBlocks.IsKQuant(type) ? "Q8_K" : "Floats";
}
