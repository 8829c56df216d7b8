using LlamaGen.Generator.Helpers;
using LlamaGen.Generator.Model;

namespace LlamaGen.Generator.Emitters;

internal static partial class KernelEmitter
{
    /// <summary>
    /// How a SIMD float variant (F32, F16, BF16) walks a row. A "unit" is one vector of floats.
    /// </summary>
    /// <remarks>
    /// 4 units per loop iteration, so each row keeps two accumulators (alternating units, hiding the FMA latency) and a
    /// 4-row pass has 8 independent FMA chains; the remainder is constant straight-line code after the loop.
    /// </remarks>
    private readonly struct Geometry
    {
        public Geometry(MatVecKernel kernel, string isa)
        {
            UnitElements = isa switch { "Avx512" => 16, "Avx2" => 8, _ => 4 };
            Unroll = 4;
            Units = kernel.Columns / UnitElements;
            TailElements = kernel.Columns % UnitElements;
            Iterations = Units / Unroll;
            RemainderUnits = Units % Unroll;
        }

        public int UnitElements { get; }
        public int Unroll { get; }
        public int Units { get; }
        public int Iterations { get; }
        public int RemainderUnits { get; }

        /// <summary>Elements after the last whole unit, done one by one.</summary>
        public int TailElements { get; }
    }

    private static string VectorType(string isa) => isa switch { "Avx512" => "Vector512", "Avx2" => "Vector256", _ => "Vector128" };

    private static void EmitSimd(SourceWriter w, MatVecKernel kernel, string isa)
    {
        var g = new Geometry(kernel, isa);
        EmitIsaGuard(w, isa);


        w.Line("int r = rowStart;");
        w.Open($"for (; r + {RowsPerPass} <= rowEnd; r += {RowsPerPass})");
        EmitPass(w, kernel, isa, g, RowsPerPass);
        w.Close();
        w.Open("for (; r < rowEnd; r++)");
        EmitPass(w, kernel, isa, g, 1);
        w.Close();

        // A row shorter than one vector runs only the scalar tail, which converts element by element.
        if (kernel.TypeName == "F16" && g.Units > 0) EmitHalfToSingle(w, VectorType(isa));
        if (kernel.TypeName == "BF16" && g.Units > 0) EmitBFloat16ToSingle(w, VectorType(isa));
        if (isa == "Neon") EmitNeonHelpers(w, kernel);
    }

    private static void EmitPass(SourceWriter w, MatVecKernel kernel, string isa, Geometry g, int rows)
    {
        string vector = VectorType(isa);
        string pointerType = kernel.TypeName == "F32" ? "float*" : "ushort*";
        for (int i = 0; i < rows; i++)
        {
            string rowExpr = i == 0 ? "r" : $"(r + {i})";
            w.Line($"{pointerType} w{i} = ({pointerType})(weights + {rowExpr} * RowBytes);");
        }
        w.Line("float* xp = x;");
        for (int i = 0; i < rows; i++) w.Line($"{vector}<float> acc{i}a = {vector}<float>.Zero, acc{i}b = {vector}<float>.Zero;");
        if (g.TailElements != 0)
            for (int i = 0; i < rows; i++) w.Line($"float tail{i} = 0f;");

        if (g.Iterations > 0)
        {
            w.Open(g.Iterations == 1 ? "// one iteration" : $"for (int i = 0; i < {g.Iterations}; i++)");
            for (int j = 0; j < g.Unroll; j++) EmitUnit(w, kernel, isa, g, rows, j);
            EmitAdvance(w, g, rows, g.Unroll);
            w.Close();
        }
        if (g.RemainderUnits > 0 || g.TailElements > 0)
        {
            w.Open($"// remainder: {g.RemainderUnits} unit(s), then {g.TailElements} element(s)");
            for (int j = 0; j < g.RemainderUnits; j++) EmitUnit(w, kernel, isa, g, rows, j);
            if (g.TailElements > 0) EmitTail(w, kernel, isa, g, rows, g.RemainderUnits);
            w.Close();
        }

        for (int i = 0; i < rows; i++)
        {
            string target = i == 0 ? "y[r]" : $"y[r + {i}]";
            string sum = isa == "Neon" ? $"HorizontalSum(AdvSimd.Add(acc{i}a, acc{i}b))" : $"{vector}.Sum(acc{i}a + acc{i}b)";
            if (g.TailElements > 0) sum += $" + tail{i}";
            w.Line($"{target} = {sum};");
        }
    }

    private static void EmitAdvance(SourceWriter w, Geometry g, int rows, int units)
    {
        for (int i = 0; i < rows; i++) w.Line($"w{i} += {units * g.UnitElements};");
        w.Line($"xp += {units * g.UnitElements};");
    }

    private static void EmitUnit(SourceWriter w, MatVecKernel kernel, string isa, Geometry g, int rows, int j)
    {
        if (isa == "Neon") EmitNeonFloatUnit(w, kernel, g, rows, j);
        else EmitFloatUnit(w, kernel, isa, g, rows, j);
    }

    /// <summary>One vector of floats (or f16/bf16 widened to floats) for every row of the pass.</summary>
    private static void EmitFloatUnit(SourceWriter w, MatVecKernel kernel, string isa, Geometry g, int rows, int j)
    {
        string vector = VectorType(isa);
        int offset = j * g.UnitElements;
        string at = offset == 0 ? "" : $" + {offset}";
        char half = j % 2 == 0 ? 'a' : 'b';
        w.Line($"var x{j} = {vector}.Load(xp{at});");
        for (int i = 0; i < rows; i++)
        {
            // f16 and bf16 bits are zero-extended to 32-bit lanes (vpmovzxwd), then converted exactly (HalfToSingle,
            // BFloat16ToSingle below).
            string widened = isa switch
            {
                "Avx512" => $"Avx512F.ConvertToVector512Int32(Vector256.Load(w{i}{at}))",
                "Avx2" => $"Avx2.ConvertToVector256Int32(Vector128.Load(w{i}{at}))",
                _ => $"Vector128.WidenLower(Vector128.CreateScalar(*(ulong*)(w{i}{at})).AsUInt16()).AsInt32()",
            };
            string weight = kernel.TypeName switch
            {
                "F32" => $"{vector}.Load(w{i}{at})",
                "BF16" => $"BFloat16ToSingle({widened})",
                _ => $"HalfToSingle({widened})",
            };
            string acc = $"acc{i}{half}";
            w.Line(isa switch
            {
                "Avx512" => $"{acc} = Avx512F.FusedMultiplyAdd({weight}, x{j}, {acc});",
                "Avx2" => $"{acc} = Fma.MultiplyAdd({weight}, x{j}, {acc});",
                // Fused where the hardware has it (NEON, x86 FMA), multiply-then-add elsewhere; both are fine here.
                _ => $"{acc} = Vector128.MultiplyAddEstimate({weight}, x{j}, {acc});",
            });
        }
    }

    /// <summary>Float tail: the last <c>Columns % lanes</c> elements, one at a time.</summary>
    private static void EmitTail(SourceWriter w, MatVecKernel kernel, string isa, Geometry g, int rows, int units)
    {
        int offset = units * g.UnitElements;
        for (int i = 0; i < rows; i++)
        {
            string weight = kernel.TypeName switch
            {
                "F32" => $"w{i}[{offset} + c]",
                // bf16 is the upper half of a float32 (ggml's GGML_BF16_TO_FP32); the ushort widens to int before the shift.
                "BF16" => $"BitConverter.Int32BitsToSingle(w{i}[{offset} + c] << 16)",
                _ => $"(float)((Half*)w{i})[{offset} + c]",
            };
            w.Line($"for (int c = 0; c < {g.TailElements}; c++) tail{i} += {weight} * xp[{offset} + c];");
        }
    }

    /// <summary>
    /// Exact f16 to f32 conversion on integer lanes (.NET 10 exposes no vcvtph2ps): normal and infinite/NaN
    /// values are re-biased by moving the exponent up by 224 and scaling by 2^-112; subnormals are built as
    /// 0.5 + m * 2^-24 minus 0.5. No step reads or produces an f32 subnormal, so no microcode assists.
    /// </summary>
    private static void EmitHalfToSingle(SourceWriter w, string vector)
    {
        w.Line();
        w.Line("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
        w.Open($"static {vector}<float> HalfToSingle({vector}<int> bits)");
        w.Line($"{vector}<int> magnitude = bits & {vector}.Create(0x7FFF);");
        w.Line($"{vector}<int> sign = (bits & {vector}.Create(0x8000)) << 16;");
        w.Line($"{vector}<float> normal = ((magnitude << 13) + {vector}.Create(0x70000000)).AsSingle() * {vector}.Create(0x07800000).AsSingle();");
        w.Line($"{vector}<float> subnormal = (magnitude | {vector}.Create(0x3F000000)).AsSingle() - {vector}.Create(0.5f);");
        w.Line($"{vector}<float> value = {vector}.ConditionalSelect({vector}.LessThan(magnitude, {vector}.Create(0x400)).AsSingle(), subnormal, normal);");
        w.Line("return (value.AsInt32() | sign).AsSingle();");
        w.Close();
    }

    /// <summary>
    /// bf16 to f32: the 16 bits are the upper half of the float32 (ggml's <c>GGML_BF16_TO_FP32</c>), so one shift is
    /// exact for every pattern, NaN payloads included.
    /// </summary>
    private static void EmitBFloat16ToSingle(SourceWriter w, string vector)
    {
        w.Line();
        w.Line("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
        w.Line($"static {vector}<float> BFloat16ToSingle({vector}<int> bits) => (bits << 16).AsSingle();");
    }

}
