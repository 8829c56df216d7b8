using LlamaGen.Generator.Helpers;
using LlamaGen.Generator.Model;

namespace LlamaGen.Generator.Emitters;

/// <remarks>
/// Integer block products, as llama.cpp's <c>ggml_vec_dot_q8_0_q8_0</c> / <c>ggml_vec_dot_q4_0_q8_0</c>: per block
/// <c>sum_i w_i * x_i</c> in int32 (exact), converted to float and accumulated with the block's
/// <c>d_w * d_x</c>. x86 has only an unsigned-by-signed byte multiply (<c>vpmaddubsw</c>, <c>vpdpbusd</c>), so one
/// operand's sign is moved onto the other: for Q8_0 the weights are made non-negative (|w| may be 128, as an
/// unsigned byte) and their sign moved onto the activation, which <c>QuantizeQ8_0</c> keeps in [-127, 127]; for
/// Q4_0 (|w| &lt;= 8) the activation is made non-negative once per block and its sign moved onto each row's
/// weights, which saves one instruction per row. Pair sums stay below 2 * 128 * 127 = 32512, so the 16-bit
/// saturating step never saturates.
/// </remarks>
internal static partial class KernelEmitter
{
    private static void EmitQuantizedConstants(SourceWriter w, MatVecKernel kernel, string isa, Geometry g)
    {
        bool q4 = kernel.TypeName == "Q4_0";
        if (!q4) return;
        switch (isa)
        {
            case "Neon":
                EmitNeonQuantizedConstants(w);
                break;
            case "Vector128":
                w.Line("Vector128<byte> lowNibbles128 = Vector128.Create((byte)0x0F);");
                w.Line("Vector128<sbyte> eight128 = Vector128.Create((sbyte)8);");
                break;
            case "Avx512":
                w.Line("Vector512<byte> lowNibbles512 = Vector512.Create((byte)0x0F);");
                w.Line("Vector512<sbyte> eight512 = Vector512.Create((sbyte)8);");
                if (g.TailElements > 0) goto case "Avx2";
                break;
            case "Avx2":
                w.Line("Vector256<byte> lowNibbles256 = Vector256.Create((byte)0x0F);");
                w.Line("Vector256<sbyte> eight256 = Vector256.Create((sbyte)8);");
                break;
        }
    }

    private static void EmitQuantizedHelpers(SourceWriter w, MatVecKernel kernel, string isa, Geometry g)
    {
        switch (isa)
        {
            case "Vector128":
                w.Line();
                w.Line("// Signed byte products without an 8-bit multiply-add in the portable API: widen to 16 bits (|a*b| <= 16384), multiply, widen, add.");
                w.Line("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
                w.Open("static Vector128<int> Dot128(Vector128<sbyte> a, Vector128<sbyte> b)");
                w.Line("(Vector128<short> a0, Vector128<short> a1) = Vector128.Widen(a);");
                w.Line("(Vector128<short> b0, Vector128<short> b1) = Vector128.Widen(b);");
                w.Line("(Vector128<int> p0, Vector128<int> p1) = Vector128.Widen(a0 * b0);");
                w.Line("(Vector128<int> p2, Vector128<int> p3) = Vector128.Widen(a1 * b1);");
                w.Line("return (p0 + p1) + (p2 + p3);");
                w.Close();
                break;
            case "Avx512":
                w.Line();
                w.Line("// .NET 10 exposes no 512-bit VNNI (vpdpbusd zmm), so: u8 x s8 -> s16 pair sums, then s16 pairs -> s32.");
                w.Line("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
                w.Line("static Vector512<int> Dot512(Vector512<byte> unsignedBytes, Vector512<sbyte> signedBytes) =>");
                w.Line("    Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(unsignedBytes, signedBytes), Vector512.Create((short)1));");
                if (g.TailElements > 0) goto case "Avx2";
                break;
            case "Avx2":
                w.Line();
                w.Line("// AVX-VNNI's vpdpbusd does u8 x s8 -> s32 in one instruction; without it, vpmaddubsw then vpmaddwd with ones.");
                w.Line("// IsSupported is a JIT-time constant, so only one branch is compiled.");
                w.Line("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
                w.Line("static Vector256<int> Dot256(Vector256<byte> unsignedBytes, Vector256<sbyte> signedBytes) =>");
                w.Line("    AvxVnni.IsSupported");
                w.Line("        ? AvxVnni.MultiplyWideningAndAdd(Vector256<int>.Zero, unsignedBytes, signedBytes)");
                w.Line("        : Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(unsignedBytes, signedBytes), Vector256.Create((short)1));");
                break;
        }
    }

    /// <summary>One 32-element block (index <paramref name="block"/> from the current pointers), Vector128 API only.</summary>
    private static void EmitVector128BlockUnit(SourceWriter w, MatVecKernel kernel, int rows, int block, string accFormat)
    {
        bool q4 = kernel.TypeName == "Q4_0";
        int blockBytes = WeightBlockBytes(kernel);
        int xo = block * Q8BlockBytes;
        w.Line($"var xl{block} = Vector128.Load((sbyte*)(xb{Offset(xo + 2)}));");
        w.Line($"var xh{block} = Vector128.Load((sbyte*)(xb{Offset(xo + 18)}));");
        for (int i = 0; i < rows; i++)
        {
            int wo = block * blockBytes;
            string acc = string.Format(accFormat, i);
            string lo, hi;
            if (q4)
            {
                w.Line($"var n{block}_{i} = Vector128.Load(w{i}{Offset(wo + 2)});");
                lo = $"(n{block}_{i} & lowNibbles128).AsSByte() - eight128";
                hi = $"Vector128.ShiftRightLogical(n{block}_{i}, 4).AsSByte() - eight128";
            }
            else
            {
                lo = $"Vector128.Load((sbyte*)(w{i}{Offset(wo + 2)}))";
                hi = $"Vector128.Load((sbyte*)(w{i}{Offset(wo + 18)}))";
            }
            w.Line($"var dot{block}_{i} = Dot128({lo}, xl{block}) + Dot128({hi}, xh{block});");
            w.Line($"{acc} = Vector128.MultiplyAddEstimate(Vector128.ConvertToSingle(dot{block}_{i}), Vector128.Create({BlockScale(i, block, blockBytes)}), {acc});");
        }
    }

    /// <summary>One 32-element block in a 256-bit register.</summary>
    private static void EmitAvx2BlockUnit(SourceWriter w, MatVecKernel kernel, int rows, int block, string accFormat)
    {
        bool q4 = kernel.TypeName == "Q4_0";
        int blockBytes = WeightBlockBytes(kernel);
        int xo = block * Q8BlockBytes;
        w.Line($"var x{block} = Vector256.Load((sbyte*)(xb{Offset(xo + 2)}));");
        if (q4) w.Line($"var ax{block} = Avx2.Sign(x{block}, x{block}).AsByte();");
        for (int i = 0; i < rows; i++)
        {
            int wo = block * blockBytes;
            string acc = string.Format(accFormat, i);
            string dot;
            if (q4)
            {
                // Low nibbles are elements 0..15, high nibbles 16..31: one 128-bit load, shifted copy in the upper lane.
                w.Line($"var n{block}_{i} = Vector128.Load(w{i}{Offset(wo + 2)});");
                w.Line($"var q{block}_{i} = (Vector256.Create(n{block}_{i}, Vector128.ShiftRightLogical(n{block}_{i}.AsUInt16(), 4).AsByte()) & lowNibbles256).AsSByte() - eight256;");
                dot = $"Dot256(ax{block}, Avx2.Sign(q{block}_{i}, x{block}))";
            }
            else
            {
                w.Line($"var q{block}_{i} = Vector256.Load((sbyte*)(w{i}{Offset(wo + 2)}));");
                dot = $"Dot256(Avx2.Sign(q{block}_{i}, q{block}_{i}).AsByte(), Avx2.Sign(x{block}, q{block}_{i}))";
            }
            w.Line($"{acc} = Fma.MultiplyAdd(Avx.ConvertToVector256Single({dot}), Vector256.Create({BlockScale(i, block, blockBytes)}), {acc});");
        }
    }

    /// <summary>Two consecutive blocks (2 * <paramref name="pair"/> and the next) in one 512-bit register.</summary>
    private static void EmitAvx512PairUnit(SourceWriter w, MatVecKernel kernel, int rows, int pair)
    {
        bool q4 = kernel.TypeName == "Q4_0";
        int blockBytes = WeightBlockBytes(kernel);
        int first = 2 * pair;
        int xo = first * Q8BlockBytes;
        if (q4)
        {
            // Lanes of 16 bytes: [A 0..15, B 0..15, A 16..31, B 16..31], the order the weights unpack to below.
            w.Line($"var x{pair} = Vector512.Create(");
            w.Line($"    Vector256.Create(Vector128.Load(xb{Offset(xo + 2)}), Vector128.Load(xb{Offset(xo + 2 + Q8BlockBytes)})),");
            w.Line($"    Vector256.Create(Vector128.Load(xb{Offset(xo + 18)}), Vector128.Load(xb{Offset(xo + 18 + Q8BlockBytes)}))).AsSByte();");
            w.Line($"var ax{pair} = Avx512BW.Abs(x{pair});");
            w.Line($"var xn{pair} = Vector512.LessThan(x{pair}, Vector512<sbyte>.Zero);");
        }
        else
        {
            w.Line($"var x{pair} = Vector512.Create(Vector256.Load((sbyte*)(xb{Offset(xo + 2)})), Vector256.Load((sbyte*)(xb{Offset(xo + 2 + Q8BlockBytes)})));");
        }
        for (int i = 0; i < rows; i++)
        {
            int wo = first * blockBytes;
            string acc = $"acc{i}";
            string dot, scale;
            string scaleA = BlockScale(i, first, blockBytes), scaleB = BlockScale(i, first + 1, blockBytes);
            if (q4)
            {
                w.Line($"var n{pair}_{i} = Vector256.Create(Vector128.Load(w{i}{Offset(wo + 2)}), Vector128.Load(w{i}{Offset(wo + 2 + blockBytes)}));");
                w.Line($"var q{pair}_{i} = (Vector512.Create(n{pair}_{i}, Vector256.ShiftRightLogical(n{pair}_{i}.AsUInt16(), 4).AsByte()) & lowNibbles512).AsSByte() - eight512;");
                // (q ^ m) - m negates q where the activation is negative (m = all ones there).
                dot = $"Dot512(ax{pair}, (q{pair}_{i} ^ xn{pair}) - xn{pair})";
                w.Line($"var s{pair}_{i} = Vector256.Create(Vector128.Create({scaleA}), Vector128.Create({scaleB}));");
                scale = $"Vector512.Create(s{pair}_{i}, s{pair}_{i})";
            }
            else
            {
                w.Line($"var q{pair}_{i} = Vector512.Create(Vector256.Load((sbyte*)(w{i}{Offset(wo + 2)})), Vector256.Load((sbyte*)(w{i}{Offset(wo + 2 + blockBytes)})));");
                w.Line($"var m{pair}_{i} = Vector512.LessThan(q{pair}_{i}, Vector512<sbyte>.Zero);");
                dot = $"Dot512(Avx512BW.Abs(q{pair}_{i}), (x{pair} ^ m{pair}_{i}) - m{pair}_{i})";
                scale = $"Vector512.Create(Vector256.Create({scaleA}), Vector256.Create({scaleB}))";
            }
            w.Line($"{acc} = Avx512F.FusedMultiplyAdd(Avx512F.ConvertToVector512Single({dot}), {scale}, {acc});");
        }
    }
}
