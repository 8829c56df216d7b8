using System.Reflection;
using System.Runtime.Loader;
using LlamaGen.Generator.Emitters.Kernels;
using LlamaGen.Generator.Model;
using LlamaGen.Kernels;
using LlamaGen.Quantization;
using LlamaGen.TestSupport.Kernels;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Shared = LlamaGen.Generator.Shared;

namespace LlamaGen.Generator.Tests;

/// <summary>
/// Emits kernels with <see cref="KernelSourceEmitter"/> for row lengths the specs in the repository do not have (odd
/// widths that exercise remainders and tails, widths of one block), compiles them with Roslyn, loads them into a
/// collectible context and compares every ISA this CPU runs with the plain scalar reference, through the emitted
/// kernel table. Also compiles the paths this CPU does not take (no AVX-VNNI, no NEON dot product) and the
/// constant-shape copies the specialization benchmarks compare with.
/// </summary>
public sealed class KernelEmitterTests
{
    /// <summary>Row lengths: odd ones (tails of every vector width), one block, and Llama 2 7B's 4096 and 11008.</summary>
    private static readonly int[] Widths = { 8, 19, 32, 96, 224, 256, 768, 4096, 11008 };

    private static readonly GgmlType[] Types =
    {
        GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1,
        GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K,
    };

    private static readonly Lazy<Assembly> Compiled = new(() => CompileKernels(disabled: null));

    private static IEnumerable<KernelKey> Keys() =>
        from columns in Widths
        from type in Types
        where columns % GgmlTypeInfo.BlockSize(type) == 0
        select new KernelKey(columns, (Shared.GgmlType)(uint)type);

    public static TheoryData<GgmlType, int> Cases()
    {
        var data = new TheoryData<GgmlType, int>();
        foreach (KernelKey key in Keys()) data.Add((GgmlType)(uint)key.Type, key.Columns);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void EveryIsaMatchesTheReference(GgmlType type, int columns)
    {
        foreach (int rows in new[] { 13, 3 })
        {
            var data = new MatVecCheck.Data(type, rows, columns, seed: rows * 31 + columns);
            foreach (KernelIsa isa in KernelSupport.Supported)
            {
                MatrixKernels kernels = Table(Compiled.Value, isa, type, columns);
                string label = $"{type} x {columns} on {isa}, {rows} rows";
                MatVecCheck.Run(kernels, data, 0, rows, label);
                MatVecCheck.Run(kernels, data, Math.Min(1, rows), Math.Max(Math.Min(1, rows), rows - 2), label + " (subrange)");
                MatVecCheck.Run(kernels, data, rows / 2, rows / 2, label + " (empty range)");
                MatVecCheck.RunBatch(kernels, data, 3, 0, rows, label + " batched");
            }
        }
    }

    /// <summary>
    /// The kernel with the row length a constant (what the specialization benchmarks compare with) gives the kernel models
    /// run, the row length a parameter, its results bit for bit: only the constants differ.
    /// </summary>
    [Theory]
    [InlineData(GgmlType.F16, 19)]
    [InlineData(GgmlType.Q4_0, 96)]
    [InlineData(GgmlType.Q5_1, 4096)]
    [InlineData(GgmlType.Q8_0, 224)]
    [InlineData(GgmlType.Q4_K, 768)]
    [InlineData(GgmlType.Q6_K, 11008)]
    public unsafe void ConstantShapeCopiesEqualTheKernels(GgmlType type, int columns)
    {
        const int Rows = 11;
        var data = new MatVecCheck.Data(type, Rows, columns, seed: 3);
        foreach (KernelIsa isa in KernelSupport.Supported)
        {
            MatrixKernels runtime = Table(Compiled.Value, isa, type, columns);
            MatrixKernels constant = Table(Compiled.Value, isa, type, columns, "ConstantShapeKernelTable");
            var expected = new float[Rows];
            var actual = new float[Rows];
            fixed (byte* w = data.KernelWeights)
            fixed (float* x = data.X)
            fixed (byte* q = data.Xq8)
            fixed (float* e = expected)
            fixed (float* a = actual)
            {
                byte* xq8 = data.Xq8.Length == 0 ? null : q;
                runtime.Multiply(w, x, xq8, e, 0, Rows);
                constant.Multiply(w, x, xq8, a, 0, Rows);
            }
            Assert.Equal(expected, actual);
        }
    }

    /// <summary>Rows that are no whole number of the type's blocks get no kernel (the binder reports it), nor do empty rows.</summary>
    [Theory]
    [InlineData(GgmlType.Q4_0, 48)]
    [InlineData(GgmlType.Q4_K, 4000)]
    [InlineData(GgmlType.F32, 0)]
    public void TheTableRefusesRowsNoKernelCanRead(GgmlType type, int columns)
    {
        MethodInfo get = Compiled.Value.GetType("LlamaGen.Generated.KernelTable", throwOnError: true)!.GetMethod("Get", [typeof(KernelIsa), typeof(GgmlType), typeof(int)])!;
        foreach (KernelIsa isa in Enum.GetValues<KernelIsa>())
            Assert.True(((MatrixKernels)get.Invoke(null, [isa, type, columns])!).IsEmpty, $"{type} x {columns} on {isa}");
    }

    /// <summary>
    /// This machine may have AVX-VNNI, in which case the x86 kernels run vpdpbusd; the maddubs+madd instantiation a CPU
    /// without it runs (<c>WithoutAvxVnni</c>, the table's <c>avxVnni: false</c>) runs here too.
    /// </summary>
    [Theory]
    [InlineData(KernelIsa.Avx2)]
    [InlineData(KernelIsa.Avx512)]
    public void X86KernelsWithoutVnniMatchTheReference(KernelIsa isa)
    {
        Assert.SkipUnless(KernelSupport.IsSupported(isa), $"{isa} is not available.");
        CheckQuantized(Compiled.Value, isa, "without VNNI", avxVnni: false);
    }

    /// <summary>The VNNI instantiation refuses to run on a CPU without AVX-VNNI rather than fault.</summary>
    [Fact]
    public void VnniKernelThrowsWithoutAvxVnni()
    {
        Assert.SkipUnless(KernelSupport.IsSupported(KernelIsa.Avx2), "AVX2 is not available.");
        Assert.SkipWhen(System.Runtime.Intrinsics.X86.AvxVnni.IsSupported, "This CPU has AVX-VNNI; its kernels run in EveryIsaMatchesTheReference.");
        var data = new MatVecCheck.Data(GgmlType.Q4_0, 8, 32, seed: 1);
        MatrixKernels kernels = Table(Compiled.Value, KernelIsa.Avx2, GgmlType.Q4_0, 32, avxVnni: true);
        var error = Assert.Throws<PlatformNotSupportedException>(() => MatVecCheck.Run(kernels, data, 0, 8, "Q4_0 on Avx2 with VNNI"));
        Assert.Contains("AVX-VNNI", error.Message);
    }

    /// <summary>
    /// The NEON kernels use sdot where the CPU has FEAT_DotProd (Dp); the smull + sadalp path they fall back to is compiled
    /// here with the IsSupported check replaced by false. (The arm64 CI run also runs everything on a qemu CPU without Dp.)
    /// </summary>
    [Fact]
    public void NeonFallbackWithoutDotProductMatchesTheReference()
    {
        Assert.SkipUnless(KernelSupport.IsSupported(KernelIsa.Neon), "NEON (AdvSimd.Arm64) is not available; the arm64 CI run covers it.");
        CheckQuantized(CompileKernels(disabled: "Dp.IsSupported"), KernelIsa.Neon, "without Dp");
    }

    private static void CheckQuantized(Assembly kernels, KernelIsa isa, string label, bool? avxVnni = null)
    {
        foreach (int columns in new[] { 4096, 224, 768 })
        {
            foreach (GgmlType type in Types.Where(t => !GgmlTypeInfo.TryGetLayout(t, out int block, out _) || columns % block == 0))
            {
                if (type is GgmlType.F32 or GgmlType.F16 or GgmlType.BF16) continue;
                var data = new MatVecCheck.Data(type, 13, columns, seed: 7);
                MatrixKernels k = Table(kernels, isa, type, columns, avxVnni: avxVnni);
                MatVecCheck.Run(k, data, 0, 13, $"{type} x {columns} on {isa} {label}");
                MatVecCheck.RunBatch(k, data, 5, 0, 13, $"{type} x {columns} on {isa} {label}, batched");
            }
        }
    }

    /// <summary>On a CPU without NEON the kernel must refuse to run rather than fault on an unsupported intrinsic.</summary>
    [Fact]
    public void NeonKernelThrowsWithoutAdvSimd()
    {
        Assert.SkipWhen(KernelSupport.IsSupported(KernelIsa.Neon), "This CPU has NEON; its kernels run in EveryIsaMatchesTheReference.");
        var data = new MatVecCheck.Data(GgmlType.Q8_0, 8, 32, seed: 1);
        MatrixKernels kernels = Table(Compiled.Value, KernelIsa.Neon, GgmlType.Q8_0, 32);
        var error = Assert.Throws<PlatformNotSupportedException>(() => MatVecCheck.Run(kernels, data, 0, 8, "Q8_0 on Neon"));
        Assert.Contains("NEON", error.Message);
    }

    [Fact]
    public void KernelsAreThinLoopsOverHelpersWrittenOnce()
    {
        var keys = new[] { new KernelKey(96, Shared.GgmlType.Q4_0), new KernelKey(4096, Shared.GgmlType.Q4_0), new KernelKey(11008, Shared.GgmlType.Q4_0) };
        var files = KernelSourceEmitter.Emit(keys, constantShapes: false).ToDictionary(f => f.Hint, f => f.Text);
        string avx2 = files["LlamaGen.Kernels.Avx2.g.cs"];
        // One kernel for the three widths, the row length a parameter; two blocks per iteration (even and odd
        // accumulators), the last block of an odd count after the loop; the block itself in a helper.
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(avx2, @"public static void MatVec_Q4_0\(byte\* weights, float\* x, byte\* xq8, float\* y, int rowStart, int rowEnd, int columns\)"));
        Assert.DoesNotContain("MatVec_Q4_0_4096", avx2);
        Assert.Contains("int Blocks = columns / 32;", avx2);
        Assert.Contains("for (; b + 2 <= Blocks; b += 2)", avx2);
        Assert.Contains("if (b < Blocks) acc0 = Avx2KernelHelpers<TVnni>.BlockQ4_0(p + b * GroupBlockBytes, (sbyte*)(xq8 + b * 40), *(float*)(xq8 + b * 40 + 32), *(int*)(xq8 + b * 40 + 36), acc0);", avx2);
        // The helpers exist once per ISA; the NEON ones have both dot-product paths.
        string helpers = files["LlamaGen.KernelHelpers.Avx2.g.cs"];
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(helpers, @"public static Vector256<float> BlockQ4_0\("));
        string neon = files["LlamaGen.KernelHelpers.Neon.g.cs"];
        Assert.Contains("if (Dp.IsSupported) return Dp.DotProduct(acc, a, b);", neon);
        Assert.Contains("AdvSimd.MultiplyWideningUpper(", neon);
        // AVX-512 has no quantized matrix-vector kernel of its own (no 512-bit vpdpbusd): the table points at AVX2's.
        Assert.DoesNotContain("MatVec_Q4_0(", files["LlamaGen.Kernels.Avx512.g.cs"]);
        Assert.Contains("MatMul_Q4_0(", files["LlamaGen.Kernels.Avx512.g.cs"]);
        Assert.Contains("global::LlamaGen.Quantization.GgmlType.Q4_0 when columns % 32 == 0 => new(&Avx2Kernels<TVnni>.MatVec_Q4_0, &Avx512Kernels<TVnni>.MatMul_Q4_0,", files[KernelSourceEmitter.KernelTableHint]);
        Assert.False(files.ContainsKey(KernelSourceEmitter.ConstantShapeKernelTableHint));
    }

    /// <summary>The benchmarks' option adds a copy per width with the row length a constant, beside the kernels.</summary>
    [Fact]
    public void ConstantShapeCopiesAreEmittedOnlyOnRequest()
    {
        var keys = new[] { new KernelKey(96, Shared.GgmlType.Q4_0), new KernelKey(4096, Shared.GgmlType.Q4_0) };
        var files = KernelSourceEmitter.Emit(keys, constantShapes: true).ToDictionary(f => f.Hint, f => f.Text);
        string avx2 = files["LlamaGen.Kernels.Avx2.g.cs"];
        Assert.Contains("public static void MatVec_Q4_0(", avx2);
        Assert.Contains("public static void MatVec_Q4_0_4096(", avx2);
        Assert.Contains("const int Blocks = 128;", avx2);
        // 96 columns: 3 blocks, so the copy for 96 has the odd block after the loop, the one for 4096 none.
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(avx2, @"\n\s+acc0 = Avx2KernelHelpers<TVnni>\.BlockQ4_0\(p \+ b \* GroupBlockBytes, \(sbyte\*\)\(xq8 \+ b \* 40\), [^;]+, acc0\);\n\s+Avx2KernelHelpers<TVnni>\.StoreGroup"));
        Assert.Contains("(global::LlamaGen.Quantization.GgmlType.Q4_0, 4096) => new(&Avx2Kernels<TVnni>.MatVec_Q4_0_4096, &Avx512Kernels<TVnni>.MatMul_Q4_0_4096,", files[KernelSourceEmitter.ConstantShapeKernelTableHint]);
    }

    [Fact]
    public void GeneratedClassesAreInternalAndMarkedGenerated()
    {
        var files = KernelSourceEmitter.Emit([new KernelKey(64, Shared.GgmlType.F32)], constantShapes: true);
        foreach (var (hint, text) in files)
        {
            Assert.Contains("[global::System.CodeDom.Compiler.GeneratedCode(\"LlamaGen.Generator\", ", text);
            Assert.Contains("[global::System.ComponentModel.EditorBrowsable(global::System.ComponentModel.EditorBrowsableState.Never)]", text);
            Assert.Matches(@"\ninternal static unsafe class \w+(<TVnni> where TVnni : struct, global::LlamaGen\.Kernels\.IAvxVnniChoice)?\n", text);
            Assert.DoesNotContain("public static unsafe class", text);
        }
    }

    private static MatrixKernels Table(Assembly kernels, KernelIsa isa, GgmlType type, int columns, string table = "KernelTable", bool? avxVnni = null)
    {
        Type tableType = kernels.GetType("LlamaGen.Generated." + table, throwOnError: true)!;
        var result = avxVnni is bool vnni
            ? (MatrixKernels)tableType.GetMethod("Get", [typeof(KernelIsa), typeof(GgmlType), typeof(int), typeof(bool)])!.Invoke(null, [isa, type, columns, vnni])!
            : (MatrixKernels)tableType.GetMethod("Get", [typeof(KernelIsa), typeof(GgmlType), typeof(int)])!.Invoke(null, [isa, type, columns])!;
        Assert.False(result.IsEmpty, $"the emitted {table} has no {isa} kernel for {type} x {columns}");
        return result;
    }

    /// <summary>Compiles the kernels of every key, with the constant-shape copies; <paramref name="disabled"/> (an IsSupported check) is replaced by false.</summary>
    private static Assembly CompileKernels(string? disabled)
    {
        var sources = KernelSourceEmitter.Emit(Keys().OrderBy(k => k).ToList(), constantShapes: true).Select(f => f.Text).ToArray();
        if (disabled is not null)
        {
            Assert.Contains(sources, s => s.Contains(disabled));
            sources = sources.Select(s => s.Replace(disabled, "false")).ToArray();
        }
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(sources)
            .WithOptions(new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true, optimizationLevel: OptimizationLevel.Release));
        using var image = new MemoryStream();
        var result = compilation.Emit(image);
        var errors = result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Take(10).ToList();
        Assert.True(result.Success, "Emitted kernels do not compile:\n" + string.Join("\n", errors));
        image.Position = 0;
        var context = new AssemblyLoadContext("EmittedKernels" + (disabled is null ? "" : " without " + disabled), isCollectible: true);
        return context.LoadFromStream(image);
    }
}
