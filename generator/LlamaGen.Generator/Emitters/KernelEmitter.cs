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
        "LlamaGen.Kernels",
    };

    /// <summary>Rows of a SIMD pass: they share each activation load, and their accumulators stay in registers.</summary>
    public const int RowsPerPass = 4;

    private const int BlockValues = 32;
    private const int SuperBlockValues = 256;

    /// <summary>
    /// Whether a kernel can be emitted: a known type, positive dimensions, whole blocks per row. The pipeline only
    /// plans kernels that pass (a spec that asks for others is reported as a diagnostic); a kernel that does not
    /// still compiles, into a method that throws, so a mistake never breaks the build of the user's project.
    /// </summary>
    public static bool IsSupported(MatVecKernel kernel, out string reason)
    {
        reason = "";
        if (kernel.Rows <= 0 || kernel.Columns <= 0)
        {
            reason = $"kernel {kernel.Name} has a non-positive dimension";
            return false;
        }
        int block = BlockBytesOf(kernel.TypeName).Values;
        if (block == 0)
        {
            reason = $"kernel {kernel.Name}: weight type '{kernel.WeightType}' has no matrix-vector kernel (supported: {string.Join(", ", WeightTypes.Supported)})";
            return false;
        }
        if (kernel.Columns % block != 0)
        {
            reason = $"kernel {kernel.Name}: {kernel.Columns} columns are not a whole number of {kernel.TypeName} blocks of {block}";
            return false;
        }
        return true;
    }

    /// <summary>Elements and bytes of one block of a type (ggml-common.h); (0, 0) for a type without kernels.</summary>
    private static (int Values, int Bytes) BlockBytesOf(string typeName) => typeName switch
    {
        "F32" => (1, 4),
        "F16" => (1, 2),
        "BF16" => (1, 2),
        "Q8_0" => (32, 34),
        "Q4_0" => (32, 18),
        "Q4_1" => (32, 20),
        "Q5_0" => (32, 22),
        "Q5_1" => (32, 24),
        "Q2_K" => (256, 84),
        "Q3_K" => (256, 110),
        "Q4_K" => (256, 144),
        "Q5_K" => (256, 176),
        "Q6_K" => (256, 210),
        _ => (0, 0),
    };

    /// <summary>Bytes in one weight row as GGUF stores it.</summary>
    public static long RowBytes(MatVecKernel kernel)
    {
        var (values, bytes) = BlockBytesOf(kernel.TypeName);
        return values == 0 ? 0 : (long)kernel.Columns / values * bytes;
    }

    /// <summary>The 32-element block types, repacked into groups of 8 rows and multiplied against Q8_0-quantized input.</summary>
    private static bool IsQuantized(MatVecKernel kernel) => WeightTypes.UsesQuantizedActivation(kernel.WeightType);

    /// <summary>The K-quants, repacked into groups of 8 rows per super-block and multiplied against Q8_K-quantized input.</summary>
    private static bool IsKQuant(MatVecKernel kernel) => WeightTypes.UsesQ8KActivation(kernel.WeightType);

    private static int WeightBlockBytes(MatVecKernel kernel) => BlockBytesOf(kernel.TypeName).Bytes;

    /// <summary>Bytes of one token's kernel input: Q8_0 blocks (40 per 32 values) or Q8_K super-blocks; 0 for float weights.</summary>
    public static int InputBytes(MatVecKernel kernel) =>
        IsQuantized(kernel) ? kernel.Columns / BlockValues * 40
        : IsKQuant(kernel) ? KInputBytes(kernel.Columns)
        : 0;

    /// <summary><c>ActivationQuantizer.KernelInputBytesQ8_K</c>: the quants, a float scale per 256 values, an int sum per 16.</summary>
    public static int KInputBytes(int columns) => columns + columns / SuperBlockValues * 4 + columns / 16 * 4;

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

        if (isa == "Avx512" && (IsQuantized(kernel) || IsKQuant(kernel)))
        {
            // .NET 10 has no 512-bit vpdpbusd, so the quantized kernels are 256-bit code on both x86 ISAs (on an AVX-512 CPU
            // the JIT gives that code EVEX encodings and 32 registers either way): one body, half the generated code.
            EmitIsaGuard(w, isa);
            w.Line("// The same 256-bit code as the Avx2 variant (no 512-bit vpdpbusd in .NET 10).");
            w.Line($"{kernel.Name}_Avx2(weights, x, xq8, y, rowStart, rowEnd);");
            w.Close();
            w.Line();
            return;
        }

        w.Line($"const int Rows = {kernel.Rows};");
        // Only the scalar float loops index by column; the other variants have the row length baked into their unrolling.
        bool integer = IsQuantized(kernel) || IsKQuant(kernel);
        if (isa == "Scalar" && !integer) w.Line($"const int Columns = {kernel.Columns};");
        if (!integer) w.Line($"const long RowBytes = {RowBytes(kernel)};");
        w.Line("Debug.Assert(0 <= rowStart && rowStart <= rowEnd && rowEnd <= Rows, \"rows out of range\");");
        w.Line(IsQuantized(kernel) || IsKQuant(kernel)
            ? "Debug.Assert(weights != null && xq8 != null && y != null);"
            : "Debug.Assert(weights != null && x != null && y != null);");

        if (IsQuantized(kernel)) EmitInterleaved(w, kernel, isa);
        else if (IsKQuant(kernel)) EmitKQuant(w, kernel, isa);
        else if (isa == "Scalar") EmitScalar(w, kernel);
        else EmitSimd(w, kernel, isa);
        w.Close();
        w.Line();
    }

    /// <summary>
    /// The first statement of a variant: an ISA the CPU lacks throws <see cref="System.PlatformNotSupportedException"/>
    /// rather than faulting on an unsupported instruction (Scalar and Vector128 run anywhere).
    /// </summary>
    private static void EmitIsaGuard(SourceWriter w, string isa)
    {
        switch (isa)
        {
            case "Avx2":
                w.Line("if (!Avx2.IsSupported || !Fma.IsSupported) throw new PlatformNotSupportedException(\"AVX2 and FMA are required.\");");
                break;
            case "Avx512":
                w.Line("if (!Avx512F.IsSupported || !Avx512BW.IsSupported) throw new PlatformNotSupportedException(\"AVX-512 F and BW are required.\");");
                break;
            case "Neon":
                w.Line("if (!AdvSimd.Arm64.IsSupported) throw new PlatformNotSupportedException(\"AdvSimd (NEON) on Arm64 is required.\");");
                break;
        }
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
        w.Line($"const int InputBytes = {InputBytes(kernel)}; // ActivationQuantizer.KernelInputBytes{(IsKQuant(kernel) ? "Q8_K" : "")}");
        if (HasTiledBatch(kernel) || HasKQuantBatch(kernel))
        {
            w.Line("// Quantized weights have batched x86 kernels (each group of rows applied to every token while it is in cache); the others run token by token.");
            w.Open("switch (KernelDispatch.Current)");
            w.Line("case KernelIsa.Avx512:");
            // The K-quant batch kernel is 256-bit code with no AVX-512-specific tiling: the Avx2 variant serves both.
            w.Line($"    {kernel.BatchName}_{(HasTiledBatch(kernel) ? "Avx512" : "Avx2")}(weights, x, xq8, y, tokens, rowStart, rowEnd);");
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
        string input = IsQuantized(kernel) ? "xq8 (the input quantized by ActivationQuantizer.QuantizeKernelInput)"
            : IsKQuant(kernel) ? "xq8 (the input quantized by ActivationQuantizer.QuantizeKernelInputQ8_K)"
            : "x";
        return $"y[r] = dot(weight row r, {input}) for r in [rowStart, rowEnd) of the {kernel.Rows}x{kernel.Columns} {kernel.TypeName} matrix";
    }

    private static string Escape(string text) => text.Replace("\\", "\\\\").Replace("\"", "\\\"");
}
