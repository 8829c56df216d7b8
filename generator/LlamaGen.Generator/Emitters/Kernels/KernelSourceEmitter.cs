using System.Collections.Generic;
using LlamaGen.Generator.Helpers;
using LlamaGen.Generator.Model;
using LlamaGen.Generator.Shared;

namespace LlamaGen.Generator.Emitters.Kernels;

/// <summary>
/// Emits the kernels of a whole compilation, shared by all its <c>[LlamaModel]</c> classes: per ISA one class of
/// kernels (<c>LlamaGen.Generated.Avx2Kernels</c>: one <c>MatVec_{type}</c> per weight type the specs use, with the row
/// length a parameter, plus <c>MatMul_{type}</c> where the ISA has a batched kernel) and one class of the helpers they
/// call (<c>Avx2KernelHelpers</c>, each helper once), and the <c>KernelTable</c> the models resolve their kernels
/// through. The row length is not a constant: measured at the Llama 2 7B and 13B shapes, single token and batched, the
/// constant-shape kernels were no faster (bench/RESULTS.md, "Specialization"), and they cost a copy per row length.
/// </summary>
internal static class KernelSourceEmitter
{
    public const string KernelTableHint = "LlamaGen.KernelTable.g.cs";

    public const string ConstantShapeKernelTableHint = "LlamaGen.ConstantShapeKernelTable.g.cs";

    /// <summary>Namespaces the kernels and helpers refer to without qualification.</summary>
    private static readonly string[] Usings =
    {
        "System",
        "System.Runtime.CompilerServices",
        "System.Runtime.Intrinsics",
        "System.Runtime.Intrinsics.Arm",
        "System.Runtime.Intrinsics.X86",
    };

    /// <summary>
    /// The kernel files for <paramref name="keys"/> (sorted, distinct): one kernel per (weight type, ISA) the keys use.
    /// With <paramref name="constantShapes"/>, every key also gets the kernel with its row length a constant
    /// (<c>MatVec_Q4_0_4096</c>) and a <c>ConstantShapeKernelTable</c> to reach them, for the benchmarks that measure
    /// what the constants buy.
    /// </summary>
    public static List<(string Hint, string Text)> Emit(IReadOnlyList<KernelKey> keys, bool constantShapes)
    {
        var helperSets = new Dictionary<KernelIsa, HelperSet>();
        foreach (KernelIsa isa in KernelIsas.All) helperSets.Add(isa, new HelperSet());
        IReadOnlyList<GgmlType> types = TypesOf(keys);

        var files = new List<(string, string)>();
        foreach (KernelIsa isa in KernelIsas.All)
        {
            SourceWriter w = Open($"the {Name(isa)} matrix kernels of every [LlamaModel] in this compilation");
            w.Line($"/// <summary>");
            w.Line($"/// The {Name(isa)} matrix kernels: one <c>MatVec</c> per weight type the compilation's specs use, and a <c>MatMul</c>");
            w.Line("/// where this ISA has a batched product of its own. Rows and row length are arguments; models reach these through");
            w.Line("/// <see cref=\"KernelTable\"/>.");
            w.Line("/// </summary>");
            Attributes(w);
            w.Open($"internal static unsafe class {KernelIsas.Declaration(KernelIsas.KernelClass(isa), isa)}");
            foreach (GgmlType type in types) EmitKernels(w, KernelShape.Runtime(type), isa, helperSets);
            if (constantShapes)
            {
                foreach (KernelKey key in keys) EmitKernels(w, KernelShape.Constant(key), isa, helperSets);
            }
            w.Close();
            files.Add(($"LlamaGen.Kernels.{isa}.g.cs", w.ToString()));
        }
        foreach (KernelIsa isa in KernelIsas.All)
        {
            if (helperSets[isa].IsEmpty) continue;
            SourceWriter w = Open($"the helpers of the {Name(isa)} kernels");
            w.Line($"/// <summary>Helpers of the {Name(isa)} kernels: each depends on a weight type at most, never on a shape, and is written once.</summary>");
            Attributes(w);
            w.Open($"internal static unsafe class {KernelIsas.Declaration(KernelIsas.HelperClass(isa), isa)}");
            helperSets[isa].EmitAll(w);
            w.Close();
            files.Add(($"LlamaGen.KernelHelpers.{isa}.g.cs", w.ToString()));
        }
        files.Add((KernelTableHint, KernelTableEmitter.Emit(types)));
        if (constantShapes) files.Add((ConstantShapeKernelTableHint, KernelTableEmitter.EmitConstantShapes(keys)));
        return files;
    }

    /// <summary>The distinct weight types of <paramref name="keys"/>, in ggml's order.</summary>
    private static IReadOnlyList<GgmlType> TypesOf(IReadOnlyList<KernelKey> keys)
    {
        var types = new SortedSet<uint>();
        foreach (KernelKey key in keys) types.Add((uint)key.Type);
        var list = new List<GgmlType>();
        foreach (uint type in types) list.Add((GgmlType)type);
        return list;
    }

    private static void EmitKernels(SourceWriter w, KernelShape shape, KernelIsa isa, Dictionary<KernelIsa, HelperSet> helperSets)
    {
        GgmlType type = shape.Type;
        HelperSet helpers = helperSets[isa];
        if (FloatKernelEmitter.Handles(type))
        {
            FloatKernelEmitter.EmitMatVec(w, shape, isa, helpers);
        }
        else if (InterleavedKernelEmitter.Handles(type))
        {
            if (InterleavedKernelEmitter.HasMatVec(isa)) InterleavedKernelEmitter.EmitMatVec(w, shape, isa, helpers);
            // Both x86 batched kernels call the 256-bit helpers of the AVX2 class.
            if (InterleavedKernelEmitter.HasMatMul(isa)) InterleavedKernelEmitter.EmitMatMul(w, shape, isa, helperSets[KernelIsa.Avx2]);
        }
        else if (KQuantKernelEmitter.Handles(type))
        {
            if (KQuantKernelEmitter.HasMatVec(isa)) KQuantKernelEmitter.EmitMatVec(w, shape, isa, helpers);
            if (KQuantKernelEmitter.HasMatMul(isa)) KQuantKernelEmitter.EmitMatMul(w, shape, isa, helperSets[KernelIsa.Avx2]);
        }
    }

    private static string Name(KernelIsa isa) => isa switch
    {
        KernelIsa.Avx512 => "AVX-512",
        KernelIsa.Avx2 => "AVX2",
        KernelIsa.Neon => "NEON",
        _ => isa.ToString(),
    };

    internal static SourceWriter Open(string what)
    {
        var w = new SourceWriter();
        w.Line("// <auto-generated/>");
        w.Line("// Generated by LlamaGen: " + what + ". Do not edit: change the specs and rebuild.");
        w.Line("#nullable enable");
        w.Line();
        foreach (string u in Usings) w.Line("using " + u + ";");
        w.Line();
        w.Line("namespace LlamaGen.Generated;");
        w.Line();
        return w;
    }

    internal static void Attributes(SourceWriter w)
    {
        w.Line("[global::System.CodeDom.Compiler.GeneratedCode(\"LlamaGen.Generator\", \"" + GeneratorVersion + "\")]");
        w.Line("[global::System.ComponentModel.EditorBrowsable(global::System.ComponentModel.EditorBrowsableState.Never)]");
    }

    /// <summary>The generator's assembly version, as <c>[GeneratedCode]</c> records it.</summary>
    public static readonly string GeneratorVersion =
        typeof(KernelSourceEmitter).Assembly.GetName().Version?.ToString() ?? "1.0.0.0";
}
