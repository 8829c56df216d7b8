using System;
using LlamaGen.Generator.Helpers;
using LlamaGen.Generator.Model;

namespace LlamaGen.Generator.Emitters;

/// <summary>
/// Emits the matrix-vector kernels: for each <see cref="MatVecKernel"/> one method per ISA
/// (<c>MatVec_Q4_0_4096x11008_Avx512</c>, ...) plus a dispatcher that picks one by <c>KernelDispatch.Current</c>.
/// </summary>
/// <remarks>
/// Every variant computes <c>y[r] = dot(weight row r, x)</c> for <c>r</c> in <c>[rowStart, rowEnd)</c>. Float
/// weights (F32, F16) multiply the float activation <c>x</c>; quantized weights (Q8_0, Q4_0) multiply <c>xq8</c>,
/// the activation quantized to Q8_0 blocks by <c>ActivationQuantizer.QuantizeQ8_0</c>, with integer dot products
/// per 32-element block scaled by <c>d_weight * d_activation</c> as llama.cpp's <c>ggml_vec_dot_q*_0_q8_0</c> do.
///
/// The shape is a literal in the emitted code, and the generator (not the JIT) unrolls the loop over a row: each
/// pass handles <see cref="RowsPerPass"/> rows that share the activation loads, and each loop iteration handles a
/// fixed number of "units" (one SIMD load of floats, or one/two 32-element blocks) with a constant trip count and
/// a constant remainder emitted straight-line after the loop. See <see cref="Geometry"/> for the chosen factors.
///
/// The emitted code uses short type names; the file that contains it must have <see cref="RequiredUsings"/>.
/// </remarks>
internal static partial class KernelEmitter
{
    public static readonly string[] Isas = { "Scalar", "Vector128", "Neon", "Avx2", "Avx512" };

    /// <summary>Namespaces the emitted kernels refer to without qualification.</summary>
    public static readonly string[] RequiredUsings =
    {
        "System",
        "System.Diagnostics",
        "System.Runtime.CompilerServices",
        "System.Runtime.Intrinsics",
        "System.Runtime.Intrinsics.Arm",
        "System.Runtime.Intrinsics.X86",
        "LlamaGen.Inference",
    };

    /// <summary>Rows of a SIMD pass: they share each activation load, and their accumulators stay in registers.</summary>
    public const int RowsPerPass = 4;

    private const int Q8BlockBytes = 34;
    private const int Q4BlockBytes = 18;
    private const int BlockValues = 32;

    /// <summary>
    /// Whether a kernel can be emitted: a known type, positive dimensions, whole blocks per row. The pipeline only
    /// plans kernels that pass (a spec that asks for others is reported as a diagnostic); a kernel that does not
    /// still compiles, into a method that throws, so a mistake never breaks the build of the user's project.
    /// </summary>
    public static bool IsSupported(MatVecKernel kernel, out string reason)
    {
        if (kernel.Rows <= 0 || kernel.Columns <= 0)
        {
            reason = $"kernel {kernel.Name} has a non-positive dimension";
            return false;
        }
        switch (kernel.TypeName)
        {
            case "F32":
            case "F16":
                reason = "";
                return true;
            case "Q8_0":
            case "Q4_0":
                if (kernel.Columns % BlockValues != 0)
                {
                    reason = $"kernel {kernel.Name}: {kernel.Columns} columns are not a whole number of {kernel.TypeName} blocks of {BlockValues}";
                    return false;
                }
                reason = "";
                return true;
            default:
                reason = $"kernel {kernel.Name}: weight type '{kernel.WeightType}' has no matrix-vector kernel (supported: f32, f16, q8_0, q4_0)";
                return false;
        }
    }

    /// <summary>Bytes in one weight row.</summary>
    public static long RowBytes(MatVecKernel kernel) => kernel.TypeName switch
    {
        "F32" => 4L * kernel.Columns,
        "F16" => 2L * kernel.Columns,
        "Q8_0" => (long)kernel.Columns / BlockValues * Q8BlockBytes,
        "Q4_0" => (long)kernel.Columns / BlockValues * Q4BlockBytes,
        _ => 0,
    };

    private static bool IsQuantized(MatVecKernel kernel) => kernel.TypeName is "Q8_0" or "Q4_0";

    private static int WeightBlockBytes(MatVecKernel kernel) => kernel.TypeName == "Q8_0" ? Q8BlockBytes : Q4BlockBytes;

    /// <summary>Emits <c>{kernel.Name}_{isa}</c> inside an open <c>Kernels</c> class.</summary>
    public static void EmitVariant(SourceWriter w, MatVecKernel kernel, string isa)
    {
        if (Array.IndexOf(Isas, isa) < 0)
            throw new ArgumentException($"Unknown kernel ISA '{isa}' (expected one of {string.Join(", ", Isas)}).", nameof(isa));

        w.Line($"/// <summary>{Describe(kernel)}; {isa} variant.</summary>");
        w.Open($"public static void {kernel.Name}_{isa}(byte* weights, float* x, byte* xq8, float* y, int rowStart, int rowEnd)");
        if (!IsSupported(kernel, out string reason))
        {
            w.Line($"throw new NotSupportedException(\"{Escape(reason)}\");");
            w.Close();
            w.Line();
            return;
        }

        w.Line($"const int Rows = {kernel.Rows};");
        // Only the scalar float loops index by column; the other variants have the row length baked into their unrolling.
        if (isa == "Scalar" && !IsQuantized(kernel)) w.Line($"const int Columns = {kernel.Columns};");
        if (!IsQuantized(kernel)) w.Line($"const long RowBytes = {RowBytes(kernel)};");
        w.Line("Debug.Assert(0 <= rowStart && rowStart <= rowEnd && rowEnd <= Rows, \"rows out of range\");");
        w.Line(IsQuantized(kernel)
            ? "Debug.Assert(weights != null && xq8 != null && y != null);"
            : "Debug.Assert(weights != null && x != null && y != null);");

        if (IsQuantized(kernel)) EmitInterleaved(w, kernel, isa);
        else if (isa == "Scalar") EmitScalar(w, kernel);
        else EmitSimd(w, kernel, isa);
        w.Close();
        w.Line();
    }

    /// <summary>Emits <c>{kernel.Name}</c>, which forwards to the variant for <c>KernelDispatch.Current</c>.</summary>
    public static void EmitDispatcher(SourceWriter w, MatVecKernel kernel)
    {
        string args = "weights, x, xq8, y, rowStart, rowEnd";
        w.Line($"/// <summary>{Describe(kernel)}, with the fastest variant <see cref=\"KernelDispatch.Current\"/> allows.</summary>");
        w.Line("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
        w.Open($"public static void {kernel.Name}(byte* weights, float* x, byte* xq8, float* y, int rowStart, int rowEnd)");
        w.Open("switch (KernelDispatch.Current)");
        w.Line("case KernelIsa.Avx512:");
        w.Line($"    {kernel.Name}_Avx512({args});");
        w.Line("    break;");
        w.Line("case KernelIsa.Avx2:");
        w.Line($"    {kernel.Name}_Avx2({args});");
        w.Line("    break;");
        w.Line("case KernelIsa.Neon:");
        w.Line($"    {kernel.Name}_Neon({args});");
        w.Line("    break;");
        w.Line("case KernelIsa.Vector128:");
        w.Line($"    {kernel.Name}_Vector128({args});");
        w.Line("    break;");
        w.Line("default:");
        w.Line($"    {kernel.Name}_Scalar({args});");
        w.Line("    break;");
        w.Close();
        w.Close();
        w.Line();
    }

    /// <summary>
    /// Emits <c>{kernel.BatchName}</c>: <c>y[t][r] = dot(weight row r, x_t)</c> for <paramref name="kernel"/>'s weights and
    /// <c>tokens</c> inputs (x: stride Columns floats; xq8: stride <c>ActivationQuantizer.QuantizedBytes(Columns)</c>;
    /// y: stride Rows floats).
    /// </summary>
    public static void EmitBatchDispatcher(SourceWriter w, MatVecKernel kernel)
    {
        w.Line($"/// <summary>{Describe(kernel)}, for each of <paramref name=\"tokens\"/> inputs (rows of x / xq8, rows of y).</summary>");
        w.Open($"public static void {kernel.BatchName}(byte* weights, float* x, byte* xq8, float* y, int tokens, int rowStart, int rowEnd)");
        w.Line($"const int Rows = {kernel.Rows};");
        w.Line($"const int Columns = {kernel.Columns};");
        w.Line($"const int InputBytes = {(IsQuantized(kernel) ? kernel.Columns / BlockValues * 40 : 0)}; // ActivationQuantizer.KernelInputBytes");
        if (IsQuantized(kernel) && IsSupported(kernel, out _))
        {
            w.Line("// Quantized weights have tiled x86 kernels (weights unpacked once per tile of tokens); the others run token by token.");
            w.Open("switch (KernelDispatch.Current)");
            w.Line("case KernelIsa.Avx512:");
            w.Line($"    {kernel.BatchName}_Avx512(weights, x, xq8, y, tokens, rowStart, rowEnd);");
            w.Line("    return;");
            w.Line("case KernelIsa.Avx2:");
            w.Line($"    {kernel.BatchName}_Avx2(weights, x, xq8, y, tokens, rowStart, rowEnd);");
            w.Line("    return;");
            w.Close();
        }
        w.Open("for (int t = 0; t < tokens; t++)");
        w.Line($"{kernel.Name}(weights, x + (nint)t * Columns, xq8 + (nint)t * InputBytes, y + (nint)t * Rows, rowStart, rowEnd);");
        w.Close();
        w.Close();
        w.Line();
    }

    private static string Describe(MatVecKernel kernel)
    {
        string input = IsQuantized(kernel) ? "xq8 (the input quantized by ActivationQuantizer.QuantizeKernelInput)" : "x";
        return $"y[r] = dot(weight row r, {input}) for r in [rowStart, rowEnd) of the {kernel.Rows}x{kernel.Columns} {kernel.TypeName} matrix";
    }

    private static string Escape(string text) => text.Replace("\\", "\\\\").Replace("\"", "\\\"");
}
