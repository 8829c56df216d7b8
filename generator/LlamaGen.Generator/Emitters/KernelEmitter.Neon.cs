using LlamaGen.Generator.Helpers;
using LlamaGen.Generator.Model;

namespace LlamaGen.Generator.Emitters;

/// <remarks>
/// The NEON variant (<c>_Neon</c>, arm64): AdvSimd intrinsics with the same geometry as the x86 variants (4 rows per
/// pass, 4 float vectors or 4 blocks = 128 columns per iteration). Floats use <c>fmla</c>
/// (<c>AdvSimd.FusedMultiplyAdd</c>). Block products follow llama.cpp's ARM path for
/// <c>ggml_vec_dot_q8_0_q8_0</c>: NEON multiplies signed by signed bytes, so unlike x86 no sign juggling is needed;
/// with FEAT_DotProd one <c>sdot</c> (<c>Dp.DotProduct</c>) sums 16 byte products into 4 int32 lanes, without it
/// <c>smull</c>/<c>smull2</c> form int16 products (|w * x| &lt;= 128 * 128 fits) and <c>sadalp</c> adds them pairwise
/// into int32 lanes. Both paths are emitted; <c>Dp.IsSupported</c> is a JIT-time constant, so only one is compiled.
/// .NET 10 has no f16 vector conversion on ARM either (AdvSimd has no <c>fcvtl</c> from half), so F16 weights are
/// zero-extended with <c>uxtl</c> and converted exactly by the same integer <c>HalfToSingle</c> as the other variants.
/// </remarks>
internal static partial class KernelEmitter
{
    private static void EmitNeonQuantizedConstants(SourceWriter w)
    {
        w.Line("Vector128<byte> lowNibbles128 = Vector128.Create((byte)0x0F);");
        w.Line("Vector128<sbyte> eight128 = Vector128.Create((sbyte)8);");
    }

    private static void EmitNeonHelpers(SourceWriter w, MatVecKernel kernel)
    {
        w.Line();
        w.Line("// faddp twice: the four lanes in pairwise order (AddAcross has no float form).");
        w.Line("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
        w.Line("static float HorizontalSum(Vector128<float> v) =>");
        w.Line("    AdvSimd.Arm64.AddPairwiseScalar(AdvSimd.Arm64.AddPairwise(v, v).GetLower()).ToScalar();");
        if (!IsQuantized(kernel)) return;
        w.Line();
        w.Line("// acc + the 16 byte products a[i] * b[i], summed into 4 int32 lanes (which lane gets which product differs between");
        w.Line("// the two paths; only the total is used). Dp.IsSupported is a JIT-time constant, so only one branch is compiled.");
        w.Line("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
        w.Line("static Vector128<int> DotNeon(Vector128<int> acc, Vector128<sbyte> a, Vector128<sbyte> b) =>");
        w.Line("    Dp.IsSupported");
        w.Line("        ? Dp.DotProduct(acc, a, b)");
        w.Line("        : AdvSimd.AddPairwiseWideningAndAdd(");
        w.Line("            AdvSimd.AddPairwiseWideningAndAdd(acc, AdvSimd.MultiplyWideningLower(a.GetLower(), b.GetLower())),");
        w.Line("            AdvSimd.MultiplyWideningUpper(a, b));");
    }

    /// <summary>One vector of 4 floats (F32, or F16 widened) for every row of the pass.</summary>
    private static void EmitNeonFloatUnit(SourceWriter w, MatVecKernel kernel, Geometry g, int rows, int j)
    {
        int offset = j * g.UnitElements;
        string at = offset == 0 ? "" : $" + {offset}";
        char half = j % 2 == 0 ? 'a' : 'b';
        w.Line($"var x{j} = AdvSimd.LoadVector128(xp{at});");
        for (int i = 0; i < rows; i++)
        {
            string weight = kernel.TypeName == "F32"
                ? $"AdvSimd.LoadVector128(w{i}{at})"
                : $"HalfToSingle(AdvSimd.ZeroExtendWideningLower(AdvSimd.LoadVector64(w{i}{at})).AsInt32())";
            string acc = $"acc{i}{half}";
            w.Line($"{acc} = AdvSimd.FusedMultiplyAdd({acc}, {weight}, x{j});");
        }
    }

    /// <summary>One 32-element block (index <paramref name="block"/> from the current pointers) for every row of the pass.</summary>
    private static void EmitNeonBlockUnit(SourceWriter w, MatVecKernel kernel, int rows, int block)
    {
        bool q4 = kernel.TypeName == "Q4_0";
        int blockBytes = WeightBlockBytes(kernel);
        int xo = block * Q8BlockBytes;
        w.Line($"var xl{block} = AdvSimd.LoadVector128((sbyte*)(xb{Offset(xo + 2)}));");
        w.Line($"var xh{block} = AdvSimd.LoadVector128((sbyte*)(xb{Offset(xo + 18)}));");
        for (int i = 0; i < rows; i++)
        {
            int wo = block * blockBytes;
            string lo, hi;
            if (q4)
            {
                // Byte k holds element k (low nibble) and element k + 16 (high nibble), both offset by 8.
                w.Line($"var n{block}_{i} = AdvSimd.LoadVector128(w{i}{Offset(wo + 2)});");
                lo = $"AdvSimd.Subtract(AdvSimd.And(n{block}_{i}, lowNibbles128).AsSByte(), eight128)";
                hi = $"AdvSimd.Subtract(AdvSimd.ShiftRightLogical(n{block}_{i}, 4).AsSByte(), eight128)";
            }
            else
            {
                lo = $"AdvSimd.LoadVector128((sbyte*)(w{i}{Offset(wo + 2)}))";
                hi = $"AdvSimd.LoadVector128((sbyte*)(w{i}{Offset(wo + 18)}))";
            }
            w.Line($"var dot{block}_{i} = DotNeon(DotNeon(Vector128<int>.Zero, {lo}, xl{block}), {hi}, xh{block});");
            w.Line($"acc{i} = AdvSimd.FusedMultiplyAdd(acc{i}, AdvSimd.ConvertToSingle(dot{block}_{i}), Vector128.Create({BlockScale(i, block, blockBytes)}));");
        }
    }
}
