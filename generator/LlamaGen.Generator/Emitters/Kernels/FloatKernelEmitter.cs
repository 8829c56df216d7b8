using LlamaGen.Generator.Helpers;
using LlamaGen.Generator.Shared;

namespace LlamaGen.Generator.Emitters.Kernels;

/// <summary>
/// Kernels for float weights (F32, F16, BF16) against the float activation <c>x</c>. A kernel walks its rows four at a
/// time (they share each activation load) through helpers that keep two accumulators per row, fed alternate vectors so
/// the FMA latency is hidden (8 independent chains per pass), with the last <c>columns % lanes</c> elements done one by
/// one. F16 and BF16 bits are zero-extended to 32-bit lanes and converted exactly in integer lanes: .NET 10 exposes no
/// <c>vcvtph2ps</c> (x86) or half-to-float widening (AdvSimd).
/// </summary>
internal static class FloatKernelEmitter
{
    public static bool Handles(GgmlType type) => GgmlBlocks.IsFloat(type);

    /// <summary>Emits <c>MatVec_{type}[_{columns}]</c> into an open kernel class.</summary>
    public static void EmitMatVec(SourceWriter w, KernelShape shape, KernelIsa isa, HelperSet helpers)
    {
        string h = KernelIsas.HelperClass(isa);
        string single = RequireRow(helpers, shape.Type, isa);
        string four = isa == KernelIsa.Scalar ? "" : RequireRows4(helpers, shape.Type, isa);
        int elementBytes = GgmlBlocks.Of(shape.Type).Bytes;

        w.Line($"/// <summary>y[r] = dot(weight row r, x) for r in [rowStart, rowEnd) of {(shape.Type == GgmlType.BF16 ? "a" : "an")} {shape.TypeName} matrix{RowsOf(shape)}.</summary>");
        w.Open($"public static void {shape.MatVecName}(byte* weights, float* x, byte* xq8, float* y, int rowStart, int rowEnd{shape.ColumnsParameter})");
        if (shape.Columns is int) shape.Int(w, "Columns", c => c, "columns");
        shape.Long(w, "RowBytes", c => (long)c * elementBytes, "(long)columns * " + elementBytes);
        KernelIsas.EmitGuard(w, isa);
        if (isa == KernelIsa.Scalar)
        {
            w.Line($"for (int r = rowStart; r < rowEnd; r++) y[r] = {h}.{single}(weights + r * RowBytes, x, {Columns(shape)});");
        }
        else
        {
            w.Line("int r = rowStart;");
            w.Line($"for (; r + 4 <= rowEnd; r += 4) {h}.{four}(weights + r * RowBytes, RowBytes, x, {Columns(shape)}, y + r);");
            w.Line($"for (; r < rowEnd; r++) y[r] = {h}.{single}(weights + r * RowBytes, x, {Columns(shape)});");
        }
        w.Close();
        w.Line();
    }

    internal static string RowsOf(KernelShape shape) => shape.Columns is int c ? $" with rows of {c}" : "";

    private static string Columns(KernelShape shape) => shape.Columns is int ? "Columns" : "columns";

    private static string Suffix(GgmlType type) => type.ToString();

    /// <summary>One row times x: the scalar reference loop, or the SIMD pass for one row.</summary>
    private static string RequireRow(HelperSet helpers, GgmlType type, KernelIsa isa)
    {
        if (isa != KernelIsa.Scalar) RequireConversions(helpers, type, isa);
        return helpers.Require("DotRow" + Suffix(type), w =>
        {
            if (isa == KernelIsa.Scalar) EmitScalarRow(w, type);
            else EmitPass(w, type, isa, rows: 1);
        });
    }

    private static string RequireRows4(HelperSet helpers, GgmlType type, KernelIsa isa)
    {
        RequireConversions(helpers, type, isa);
        return helpers.Require("DotRows4" + Suffix(type), w => EmitPass(w, type, isa, rows: 4));
    }

    private static void RequireConversions(HelperSet helpers, GgmlType type, KernelIsa isa)
    {
        string vector = KernelIsas.FloatVector(isa);
        if (type == GgmlType.F16) helpers.Require("HalfToSingle", w => EmitHalfToSingle(w, vector));
        if (type == GgmlType.BF16) helpers.Require("BFloat16ToSingle", w => EmitBFloat16ToSingle(w, vector));
        if (isa == KernelIsa.Neon) helpers.Require("HorizontalSum", EmitHorizontalSum);
    }

    private static void EmitScalarRow(SourceWriter w, GgmlType type)
    {
        w.Line($"/// <summary>dot(row, x) over <paramref name=\"columns\"/> {type} weights: the plain loop the SIMD variants are checked against.</summary>");
        w.Line("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
        w.Open($"public static float DotRow{Suffix(type)}(byte* row, float* x, int columns)");
        w.Line("float sum = 0f;");
        switch (type)
        {
            case GgmlType.F32:
                w.Line("for (int c = 0; c < columns; c++) sum += ((float*)row)[c] * x[c];");
                break;
            case GgmlType.F16:
                w.Line("for (int c = 0; c < columns; c++) sum += (float)((Half*)row)[c] * x[c];");
                break;
            default:
                // bf16 is the upper half of a float32 (ggml's GGML_BF16_TO_FP32): widen to int, shift, reinterpret.
                w.Line("for (int c = 0; c < columns; c++) sum += BitConverter.Int32BitsToSingle(((ushort*)row)[c] << 16) * x[c];");
                break;
        }
        w.Line("return sum;");
        w.Close();
    }

    /// <summary>
    /// <paramref name="rows"/> rows (1 or 4) times x: 4 vectors per iteration, vector j into accumulator "a" for even j
    /// and "b" for odd j (also in the remainder), then the last elements one by one; y[i] = sum(a + b) + tail.
    /// </summary>
    private static void EmitPass(SourceWriter w, GgmlType type, KernelIsa isa, int rows)
    {
        string vector = KernelIsas.FloatVector(isa);
        int lanes = KernelIsas.FloatLanes(isa);
        string pointer = type == GgmlType.F32 ? "float*" : "ushort*";
        string name = (rows == 1 ? "DotRow" : "DotRows4") + Suffix(type);
        w.Line(rows == 1
            ? $"/// <summary>dot(row, x) over <paramref name=\"columns\"/> {type} weights.</summary>"
            : $"/// <summary>y[i] = dot(row i, x) for the 4 {type} rows from <paramref name=\"rows\"/> (<paramref name=\"rowBytes\"/> apart).</summary>");
        w.Line("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
        w.Open(rows == 1
            ? $"public static float {name}(byte* row, float* x, int columns)"
            : $"public static void {name}(byte* rows, long rowBytes, float* x, int columns, float* y)");
        for (int i = 0; i < rows; i++)
            w.Line(rows == 1 ? $"{pointer} w0 = ({pointer})row;" : $"{pointer} w{i} = ({pointer})(rows + {i} * rowBytes);");
        for (int i = 0; i < rows; i++) w.Line($"{vector}<float> acc{i}a = {vector}<float>.Zero, acc{i}b = {vector}<float>.Zero;");
        w.Line("int c = 0;");
        w.Open($"for (; c + {4 * lanes} <= columns; c += {4 * lanes})");
        for (int j = 0; j < 4; j++) EmitUnit(w, type, isa, rows, $"c + {j * lanes}", j % 2 == 0 ? 'a' : 'b');
        w.Close();
        w.Open($"for (int j = 0; c + {lanes} <= columns; c += {lanes}, j++)");
        w.Open("if ((j & 1) == 0)");
        EmitUnit(w, type, isa, rows, "c", 'a');
        w.Close();
        w.Open("else");
        EmitUnit(w, type, isa, rows, "c", 'b');
        w.Close();
        w.Close();
        for (int i = 0; i < rows; i++) w.Line($"float tail{i} = 0f;");
        w.Open("for (; c < columns; c++)");
        for (int i = 0; i < rows; i++) w.Line($"tail{i} += {ScalarWeight(type, i)} * x[c];");
        w.Close();
        for (int i = 0; i < rows; i++)
        {
            string sum = isa == KernelIsa.Neon ? $"HorizontalSum(AdvSimd.Add(acc{i}a, acc{i}b))" : $"{vector}.Sum(acc{i}a + acc{i}b)";
            w.Line(rows == 1 ? $"return {sum} + tail0;" : $"y[{i}] = {sum} + tail{i};");
        }
        w.Close();
    }

    private static string ScalarWeight(GgmlType type, int row) => type switch
    {
        GgmlType.F32 => $"w{row}[c]",
        // bf16 is the upper half of a float32 (ggml's GGML_BF16_TO_FP32); the ushort widens to int before the shift.
        GgmlType.BF16 => $"BitConverter.Int32BitsToSingle(w{row}[c] << 16)",
        _ => $"(float)((Half*)w{row})[c]",
    };

    /// <summary>One vector of floats (or f16/bf16 widened to floats) at column <paramref name="at"/> for every row.</summary>
    private static void EmitUnit(SourceWriter w, GgmlType type, KernelIsa isa, int rows, string at, char half)
    {
        string vector = KernelIsas.FloatVector(isa);
        string xv = isa == KernelIsa.Neon ? $"AdvSimd.LoadVector128(x + {Strip(at)})" : $"{vector}.Load(x + {Strip(at)})";
        w.Line($"var xv{Index(at)} = {xv};");
        for (int i = 0; i < rows; i++)
        {
            string weight = Weight(type, isa, $"w{i} + {Strip(at)}");
            string acc = $"acc{i}{half}";
            w.Line(isa switch
            {
                KernelIsa.Avx512 => $"{acc} = Avx512F.FusedMultiplyAdd({weight}, xv{Index(at)}, {acc});",
                KernelIsa.Avx2 => $"{acc} = Fma.MultiplyAdd({weight}, xv{Index(at)}, {acc});",
                KernelIsa.Neon => $"{acc} = AdvSimd.FusedMultiplyAdd({acc}, {weight}, xv{Index(at)});",
                // Fused where the hardware has it (NEON, x86 FMA), multiply-then-add elsewhere; both are fine here.
                _ => $"{acc} = Vector128.MultiplyAddEstimate({weight}, xv{Index(at)}, {acc});",
            });
        }
    }

    private static string Strip(string at) => at == "c + 0" ? "c" : at;

    private static string Index(string at) => at == "c" || at == "c + 0" ? "0" : at.Substring(at.LastIndexOf(' ') + 1);

    /// <summary>The vector of weights at <paramref name="address"/> as floats.</summary>
    private static string Weight(GgmlType type, KernelIsa isa, string address)
    {
        if (type == GgmlType.F32) return isa == KernelIsa.Neon ? $"AdvSimd.LoadVector128({address})" : $"{KernelIsas.FloatVector(isa)}.Load({address})";
        // f16 and bf16 bits zero-extended to 32-bit lanes (vpmovzxwd / uxtl), then converted exactly.
        string widened = isa switch
        {
            KernelIsa.Avx512 => $"Avx512F.ConvertToVector512Int32(Vector256.Load({address}))",
            KernelIsa.Avx2 => $"Avx2.ConvertToVector256Int32(Vector128.Load({address}))",
            KernelIsa.Neon => $"AdvSimd.ZeroExtendWideningLower(AdvSimd.LoadVector64({address})).AsInt32()",
            _ => $"Vector128.WidenLower(Vector128.CreateScalar(*(ulong*)({address})).AsUInt16()).AsInt32()",
        };
        return type == GgmlType.BF16 ? $"BFloat16ToSingle({widened})" : $"HalfToSingle({widened})";
    }

    /// <summary>
    /// Exact f16 to f32 conversion on integer lanes: normal and infinite/NaN values are re-biased by moving the exponent up
    /// by 224 and scaling by 2^-112; subnormals are built as 0.5 + m * 2^-24 minus 0.5. No step reads or produces an f32
    /// subnormal, so no microcode assists.
    /// </summary>
    private static void EmitHalfToSingle(SourceWriter w, string vector)
    {
        w.Line("/// <summary>f16 bits (zero-extended to 32-bit lanes) as floats, exactly.</summary>");
        w.Line("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
        w.Open($"public static {vector}<float> HalfToSingle({vector}<int> bits)");
        w.Line($"{vector}<int> magnitude = bits & {vector}.Create(0x7FFF);");
        w.Line($"{vector}<int> sign = (bits & {vector}.Create(0x8000)) << 16;");
        w.Line($"{vector}<float> normal = ((magnitude << 13) + {vector}.Create(0x70000000)).AsSingle() * {vector}.Create(0x07800000).AsSingle();");
        w.Line($"{vector}<float> subnormal = (magnitude | {vector}.Create(0x3F000000)).AsSingle() - {vector}.Create(0.5f);");
        w.Line($"{vector}<float> value = {vector}.ConditionalSelect({vector}.LessThan(magnitude, {vector}.Create(0x400)).AsSingle(), subnormal, normal);");
        w.Line("return (value.AsInt32() | sign).AsSingle();");
        w.Close();
    }

    /// <summary>bf16 is the upper half of a float32 (ggml's GGML_BF16_TO_FP32): one shift is exact for every pattern.</summary>
    private static void EmitBFloat16ToSingle(SourceWriter w, string vector)
    {
        w.Line("/// <summary>bf16 bits (zero-extended to 32-bit lanes) as floats: the upper half of a float32.</summary>");
        w.Line("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
        w.Line($"public static {vector}<float> BFloat16ToSingle({vector}<int> bits) => (bits << 16).AsSingle();");
    }

    private static void EmitHorizontalSum(SourceWriter w)
    {
        w.Line("/// <summary>The four lanes summed with faddp twice, in pairwise order (AddAcross has no float form).</summary>");
        w.Line("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
        w.Line("public static float HorizontalSum(Vector128<float> v) =>");
        w.Line("    AdvSimd.Arm64.AddPairwiseScalar(AdvSimd.Arm64.AddPairwise(v, v).GetLower()).ToScalar();");
    }
}
