using LlamaGen.Generator.Helpers;
using LlamaGen.Generator.Model;

namespace LlamaGen.Generator.Emitters;

/// <remarks>
/// The NEON variant (<c>_Neon</c>, arm64): AdvSimd intrinsics with the same geometry as the x86 variants (4 rows per
/// pass, 4 float vectors per iteration) for F32, F16 and BF16; floats use <c>fmla</c> (<c>AdvSimd.FusedMultiplyAdd</c>).
/// The quantized types use the interleaved layout (KernelEmitter.Interleaved.cs) with <c>sdot</c>.
/// .NET 10 has no f16 vector conversion on ARM either (AdvSimd has no <c>fcvtl</c> from half), so F16 weights are
/// zero-extended with <c>uxtl</c> and converted exactly by the same integer <c>HalfToSingle</c> as the other variants.
/// BF16 weights are widened with <c>ushll #0</c> and shifted into the upper half (<c>BFloat16ToSingle</c>).
/// </remarks>
internal static partial class KernelEmitter
{
    private static void EmitNeonHelpers(SourceWriter w, MatVecKernel kernel)
    {
        w.Line();
        w.Line("// faddp twice: the four lanes in pairwise order (AddAcross has no float form).");
        w.Line("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
        w.Line("static float HorizontalSum(Vector128<float> v) =>");
        w.Line("    AdvSimd.Arm64.AddPairwiseScalar(AdvSimd.Arm64.AddPairwise(v, v).GetLower()).ToScalar();");
    }

    /// <summary>One vector of 4 floats (F32, or F16/BF16 widened) for every row of the pass.</summary>
    private static void EmitNeonFloatUnit(SourceWriter w, MatVecKernel kernel, Geometry g, int rows, int j)
    {
        int offset = j * g.UnitElements;
        string at = offset == 0 ? "" : $" + {offset}";
        char half = j % 2 == 0 ? 'a' : 'b';
        w.Line($"var x{j} = AdvSimd.LoadVector128(xp{at});");
        for (int i = 0; i < rows; i++)
        {
            string weight = kernel.TypeName switch
            {
                "F32" => $"AdvSimd.LoadVector128(w{i}{at})",
                "BF16" => $"BFloat16ToSingle(AdvSimd.ZeroExtendWideningLower(AdvSimd.LoadVector64(w{i}{at})).AsInt32())",
                _ => $"HalfToSingle(AdvSimd.ZeroExtendWideningLower(AdvSimd.LoadVector64(w{i}{at})).AsInt32())",
            };
            string acc = $"acc{i}{half}";
            w.Line($"{acc} = AdvSimd.FusedMultiplyAdd({acc}, {weight}, x{j});");
        }
    }
}
