using System.Reflection;
using System.Runtime.Loader;
using LlamaGen.Generator.Emitters;
using LlamaGen.Generator.Helpers;
using LlamaGen.Generator.Model;
using LlamaGen.Quantization;
using LlamaGen.Runtime.Tests.Kernels;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using LlamaGen.Kernels;
using LlamaGen.TestSupport.Kernels;

namespace LlamaGen.Generator.Tests;

/// <summary>
/// Emits kernels with <see cref="KernelEmitter"/>, compiles them with Roslyn, loads them into a collectible
/// context and compares every variant this CPU can run with the plain scalar reference. Independent of the
/// rest of the pipeline; rows only bound the range check, so small row counts cover the Llama column geometry.
/// </summary>
[Collection(KernelDispatchCollection.Name)]
public sealed class KernelEmitterTests
{
    /// <summary>stories260K's shapes, Llama 2 7B's column counts (4096, 11008), and odd shapes that exercise remainders and tails.</summary>
    public static readonly (int Rows, int Columns)[] Shapes =
    {
        (64, 64), (32, 64), (172, 64), (64, 172), (512, 64),
        (13, 4096), (9, 11008),
        (8, 8), (7, 224), (5, 96), (6, 32), (3, 19),
    };

    private static readonly string[] Types = { "f32", "f16", "q8_0", "q4_0" };

    private static readonly Lazy<Type> Compiled = new(() => CompileKernels(disabled: null));

    public static TheoryData<string, int, int> Cases()
    {
        var data = new TheoryData<string, int, int>();
        foreach (var (rows, columns) in Shapes)
            foreach (string type in Types)
                if (KernelEmitter.IsSupported(new MatVecKernel(rows, columns, type), out _)) data.Add(type, rows, columns);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void EveryVariantMatchesTheReference(string type, int rows, int columns)
    {
        var kernel = new MatVecKernel(rows, columns, type);
        var data = new MatVecCheck.Data(GgmlTypeInfo.TryParse(type, out var t) ? t : throw new ArgumentException(type), rows, columns, seed: rows * 31 + columns);
        foreach (KernelIsa isa in KernelDispatch.Supported)
        {
            var variant = Kernel(Compiled.Value, $"{kernel.Name}_{isa}");
            MatVecCheck.Run(variant, data, 0, rows, $"{kernel.Name}_{isa}");
            MatVecCheck.Run(variant, data, Math.Min(1, rows), Math.Max(Math.Min(1, rows), rows - 2), $"{kernel.Name}_{isa} (subrange)");
            MatVecCheck.Run(variant, data, rows / 2, rows / 2, $"{kernel.Name}_{isa} (empty range)");

            // The dispatcher must route to the forced ISA's variant; the result matches the reference either way.
            var dispatcher = Kernel(Compiled.Value, kernel.Name);
            KernelDispatch.With(isa, () => MatVecCheck.Run(dispatcher, data, 0, rows, $"{kernel.Name} dispatched as {isa}"));
        }
    }

    /// <summary>
    /// This machine may have AVX-VNNI, in which case the AVX2 variants run vpdpbusd; the maddubs+madd path they
    /// fall back to elsewhere is compiled here with the IsSupported check replaced by false.
    /// </summary>
    [Fact]
    public void Avx2FallbackWithoutVnniMatchesTheReference()
    {
        Assert.SkipUnless(KernelDispatch.IsSupported(KernelIsa.Avx2), "AVX2 is not available.");
        CheckQuantizedVariant(CompileKernels(disabled: "AvxVnni.IsSupported"), "Avx2", "without VNNI");
    }

    /// <summary>
    /// The NEON variants use sdot where the CPU has FEAT_DotProd (Dp); the smull + sadalp path they fall back to is
    /// compiled here with the IsSupported check replaced by false. (The arm64 CI run also runs everything on a
    /// qemu CPU without Dp.)
    /// </summary>
    [Fact]
    public void NeonFallbackWithoutDotProductMatchesTheReference()
    {
        Assert.SkipUnless(KernelDispatch.IsSupported(KernelIsa.Neon), "NEON (AdvSimd.Arm64) is not available; the arm64 CI run covers it.");
        CheckQuantizedVariant(CompileKernels(disabled: "Dp.IsSupported"), "Neon", "without Dp");
    }

    private static void CheckQuantizedVariant(Type kernels, string isa, string label)
    {
        foreach (var (rows, columns) in new[] { (13, 4096), (7, 224) })
        {
            foreach (string type in new[] { "q8_0", "q4_0" })
            {
                var kernel = new MatVecKernel(rows, columns, type);
                GgmlTypeInfo.TryParse(type, out var t);
                var data = new MatVecCheck.Data(t, rows, columns, seed: 7);
                MatVecCheck.Run(Kernel(kernels, $"{kernel.Name}_{isa}"), data, 0, rows, $"{kernel.Name}_{isa} {label}");
            }
        }
    }

    /// <summary>On a CPU without NEON the variant must refuse to run rather than fault on an unsupported intrinsic.</summary>
    [Fact]
    public unsafe void NeonVariantThrowsWithoutAdvSimd()
    {
        Assert.SkipWhen(KernelDispatch.IsSupported(KernelIsa.Neon), "This CPU has NEON; the variant runs in EveryVariantMatchesTheReference.");
        var kernel = new MatVecKernel(32, 64, "q8_0");
        var variant = Kernel(Compiled.Value, kernel.Name + "_Neon");
        var data = new MatVecCheck.Data(GgmlType.Q8_0, 32, 64, seed: 1);
        var error = Assert.Throws<PlatformNotSupportedException>(() => MatVecCheck.Run(variant, data, 0, 32, kernel.Name + "_Neon"));
        Assert.Contains("NEON", error.Message);
    }

    [Fact]
    public void NeonVariantHasBothDotProductPathsAndTheX86Geometry()
    {
        var w = new SourceWriter();
        KernelEmitter.EmitVariant(w, new MatVecKernel(4096, 4096, "q4_0"), "Neon");
        string code = w.ToString();
        Assert.Contains("Dp.IsSupported", code);
        Assert.Contains("Dp.DotProduct(", code);
        Assert.Contains("AdvSimd.MultiplyWideningUpper(", code);
        // Interleaved groups of 8 rows: 128 blocks in a constant loop, each block 4 chunks of 32 bytes in two 128-bit halves.
        Assert.Contains("const int Blocks = 128;", code);
        Assert.Contains("for (int b = 0; b < Blocks; b++) Block(", code);
        Assert.Contains("Vector128.Load(p + 128)", code);
        Assert.DoesNotContain("Vector128.Load(p + 144)", code);

        var d = new SourceWriter();
        KernelEmitter.EmitDispatcher(d, new MatVecKernel(4096, 4096, "q4_0"));
        Assert.Matches(@"case KernelIsa\.Neon:\s*MatVec_Q4_0_4096x4096_Neon\(", d.ToString());
    }

    [Fact]
    public void UnsupportedKernelCompilesToAMethodThatThrows()
    {
        var kernel = new MatVecKernel(4, 48, "q4_0");
        Assert.False(KernelEmitter.IsSupported(kernel, out string reason));
        Assert.Contains("48 columns", reason);
        var w = new SourceWriter();
        KernelEmitter.EmitVariant(w, kernel, "Avx2");
        Assert.Contains("throw new NotSupportedException", w.ToString());
    }

    [Fact]
    public void EmittedLoopsAreUnrolledWithConstantTripCounts()
    {
        var w = new SourceWriter();
        KernelEmitter.EmitVariant(w, new MatVecKernel(4096, 4096, "q4_0"), "Avx2");
        string code = w.ToString();
        // 128 blocks, two per iteration (even and odd accumulators), no remainder; each block 4 loads of 8 rows x 4 bytes.
        Assert.Contains("const int Blocks = 128;", code);
        Assert.Contains("for (; b + 2 <= Blocks; b += 2)", code);
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Matches(code, @"= Block\(p \+").Count);
        Assert.Contains("Vector256.Load(p + 112)", code);
        Assert.DoesNotContain("Vector256.Load(p + 144)", code);

        // An odd block count adds the last block after the loop.
        var odd = new SourceWriter();
        KernelEmitter.EmitVariant(odd, new MatVecKernel(64, 96, "q8_0"), "Avx2");
        Assert.Equal(3, System.Text.RegularExpressions.Regex.Matches(odd.ToString(), @"= Block\(p \+").Count);
    }

    private static unsafe MatVecKernelFunction Kernel(Type kernels, string name)
    {
        MethodInfo method = kernels.GetMethod(name, BindingFlags.Public | BindingFlags.Static)
            ?? throw new InvalidOperationException($"The emitted Kernels class has no method {name}.");
        return method.CreateDelegate<MatVecKernelFunction>();
    }

    /// <summary>Compiles every shape, type and ISA; <paramref name="disabled"/> (an IsSupported check) is replaced by false.</summary>
    private static Type CompileKernels(string? disabled)
    {
        var w = new SourceWriter();
        foreach (string ns in KernelEmitter.RequiredUsings) w.Line($"using {ns};");
        w.Line("namespace EmittedKernels;");
        w.Open("public static unsafe partial class Kernels");
        foreach (var (rows, columns) in Shapes)
        {
            foreach (string type in Types)
            {
                var kernel = new MatVecKernel(rows, columns, type);
                if (!KernelEmitter.IsSupported(kernel, out _)) continue;
                foreach (string isa in KernelEmitter.Isas) KernelEmitter.EmitVariant(w, kernel, isa);
                KernelEmitter.EmitDispatcher(w, kernel);
            }
        }
        w.Close();
        string source = w.ToString();
        if (disabled is not null)
        {
            Assert.Contains(disabled, source);
            source = source.Replace(disabled, "false");
        }

        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(source)
            .WithOptions(new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true, optimizationLevel: OptimizationLevel.Release));
        using var image = new MemoryStream();
        var result = compilation.Emit(image);
        var errors = result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Take(10).ToList();
        Assert.True(result.Success, "Emitted kernels do not compile:\n" + string.Join("\n", errors));
        image.Position = 0;
        var context = new AssemblyLoadContext("EmittedKernels" + (disabled is null ? "" : " without " + disabled), isCollectible: true);
        return context.LoadFromStream(image).GetType("EmittedKernels.Kernels", throwOnError: true)!;
    }
}
