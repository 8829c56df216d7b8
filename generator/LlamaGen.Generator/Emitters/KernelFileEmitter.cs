using LlamaGen.Generator.Helpers;
using LlamaGen.Generator.Model;

namespace LlamaGen.Generator.Emitters;

/// <summary>
/// Emits the kernel files of a model: <c>{Class}.Kernels.{Isa}.g.cs</c> with every kernel's variant for one ISA,
/// and <c>{Class}.Kernels.g.cs</c> with the dispatchers. The kernels themselves come from <see cref="KernelEmitter"/>;
/// they live in a nested <c>Kernels</c> class so tests can call each variant directly.
/// </summary>
internal static class KernelFileEmitter
{
    public static string EmitVariants(ModelTarget target, ModelPlan plan, string isa)
    {
        SourceWriter w = Open(target);
        foreach (MatVecKernel kernel in plan.Kernels)
        {
            KernelEmitter.EmitVariant(w, kernel, isa);
            w.Line();
            if (isa is "Avx2" or "Avx512" && KernelEmitter.HasTiledBatch(kernel)) KernelEmitter.EmitInterleavedBatch(w, kernel, isa);
            if (isa == "Avx2" && KernelEmitter.HasKQuantBatch(kernel)) KernelEmitter.EmitKQuantBatch(w, kernel, isa);
        }
        return Close(w, target);
    }

    public static string EmitDispatchers(ModelTarget target, ModelPlan plan)
    {
        SourceWriter w = Open(target);
        foreach (MatVecKernel kernel in plan.Kernels)
        {
            KernelEmitter.EmitDispatcher(w, kernel);
            w.Line();
            KernelEmitter.EmitBatchDispatcher(w, kernel);
            w.Line();
        }
        return Close(w, target);
    }

    private static SourceWriter Open(ModelTarget target)
    {
        SourceWriter w = GeneratedFile.Open(target, target.SpecPath, KernelEmitter.RequiredUsings);
        w.Open(GeneratedFile.ClassHeader(target));
        w.Line("/// <summary>The matrix-vector kernels of this model: one method per (shape, weight type, ISA) and a dispatcher per (shape, type).</summary>");
        w.Open("public static unsafe partial class Kernels");
        return w;
    }

    private static string Close(SourceWriter w, ModelTarget target)
    {
        w.Close();
        w.Close();
        return GeneratedFile.Close(w, target);
    }
}
