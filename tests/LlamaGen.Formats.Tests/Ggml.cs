using System.Runtime.InteropServices;
using LlamaGen.Quantization;

namespace LlamaGen.Formats.Tests;

/// <summary>The exports of one build of libggml-base.so.</summary>
internal sealed unsafe class Ggml
{
    private static readonly Dictionary<string, Ggml> Loaded = [];

    public delegate* unmanaged<float*, BlockQ8_0*, long, void> QuantizeRowQ8_0Ref;
    public delegate* unmanaged<float*, BlockQ4_0*, long, void> QuantizeRowQ4_0Ref;
    public delegate* unmanaged<byte*, float*, long, void> DequantizeRowQ8_0;
    public delegate* unmanaged<byte*, float*, long, void> DequantizeRowQ4_0;
    public delegate* unmanaged<byte*, float*, long, void> Fp16ToFp32Row;
    public delegate* unmanaged<byte*, float*, long, void> Bf16ToFp32Row;
    public delegate* unmanaged<byte*, float*, long, void> DequantizeRowQ4_1;
    public delegate* unmanaged<byte*, float*, long, void> DequantizeRowQ5_0;
    public delegate* unmanaged<byte*, float*, long, void> DequantizeRowQ5_1;
    public delegate* unmanaged<byte*, float*, long, void> DequantizeRowQ2_K;
    public delegate* unmanaged<byte*, float*, long, void> DequantizeRowQ3_K;
    public delegate* unmanaged<byte*, float*, long, void> DequantizeRowQ4_K;
    public delegate* unmanaged<byte*, float*, long, void> DequantizeRowQ5_K;
    public delegate* unmanaged<byte*, float*, long, void> DequantizeRowQ6_K;
    public delegate* unmanaged<byte*, float*, long, void> DequantizeRowQ8_K;
    public delegate* unmanaged<float*, byte*, long, void> QuantizeRowQ8_KRef;
    public delegate* unmanaged<float*, byte*, long, void> QuantizeRowQ4_1Ref;
    public delegate* unmanaged<float*, byte*, long, void> QuantizeRowQ5_0Ref;
    public delegate* unmanaged<float*, byte*, long, void> QuantizeRowQ5_1Ref;
    public delegate* unmanaged<float*, byte*, long, void> QuantizeRowQ2_KRef;
    public delegate* unmanaged<float*, byte*, long, void> QuantizeRowQ3_KRef;
    public delegate* unmanaged<float*, byte*, long, void> QuantizeRowQ4_KRef;
    public delegate* unmanaged<float*, byte*, long, void> QuantizeRowQ5_KRef;
    public delegate* unmanaged<float*, byte*, long, void> QuantizeRowQ6_KRef;

    public static string PathOf(string variant) =>
        Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", variant, "libggml-base.so");

    public static Ggml Load(string variant)
    {
        Assert.SkipUnless(OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64,
            "the libggml-base.so oracle is wired up for linux-x64");
        lock (Loaded)
        {
            if (Loaded.TryGetValue(variant, out var ggml)) return ggml;
            string path = PathOf(variant);
            Assert.True(File.Exists(path), $"{path} is missing; LLamaSharp.Backend.Cpu should copy it to the test output");
            // Several builds define the same symbols; load each privately so GetExport resolves in that build only.
            nint library = NativeLibrary.Load(path);
            nint Export(string name) => NativeLibrary.GetExport(library, name);
            ggml = new Ggml
            {
                QuantizeRowQ8_0Ref = (delegate* unmanaged<float*, BlockQ8_0*, long, void>)Export("quantize_row_q8_0_ref"),
                QuantizeRowQ4_0Ref = (delegate* unmanaged<float*, BlockQ4_0*, long, void>)Export("quantize_row_q4_0_ref"),
                DequantizeRowQ8_0 = (delegate* unmanaged<byte*, float*, long, void>)Export("dequantize_row_q8_0"),
                DequantizeRowQ4_0 = (delegate* unmanaged<byte*, float*, long, void>)Export("dequantize_row_q4_0"),
                Fp16ToFp32Row = (delegate* unmanaged<byte*, float*, long, void>)Export("ggml_fp16_to_fp32_row"),
                Bf16ToFp32Row = (delegate* unmanaged<byte*, float*, long, void>)Export("ggml_bf16_to_fp32_row"),
                DequantizeRowQ4_1 = (delegate* unmanaged<byte*, float*, long, void>)Export("dequantize_row_q4_1"),
                DequantizeRowQ5_0 = (delegate* unmanaged<byte*, float*, long, void>)Export("dequantize_row_q5_0"),
                DequantizeRowQ5_1 = (delegate* unmanaged<byte*, float*, long, void>)Export("dequantize_row_q5_1"),
                DequantizeRowQ2_K = (delegate* unmanaged<byte*, float*, long, void>)Export("dequantize_row_q2_K"),
                DequantizeRowQ3_K = (delegate* unmanaged<byte*, float*, long, void>)Export("dequantize_row_q3_K"),
                DequantizeRowQ4_K = (delegate* unmanaged<byte*, float*, long, void>)Export("dequantize_row_q4_K"),
                DequantizeRowQ5_K = (delegate* unmanaged<byte*, float*, long, void>)Export("dequantize_row_q5_K"),
                DequantizeRowQ6_K = (delegate* unmanaged<byte*, float*, long, void>)Export("dequantize_row_q6_K"),
                DequantizeRowQ8_K = (delegate* unmanaged<byte*, float*, long, void>)Export("dequantize_row_q8_K"),
                QuantizeRowQ8_KRef = (delegate* unmanaged<float*, byte*, long, void>)Export("quantize_row_q8_K_ref"),
                QuantizeRowQ4_1Ref = (delegate* unmanaged<float*, byte*, long, void>)Export("quantize_row_q4_1_ref"),
                QuantizeRowQ5_0Ref = (delegate* unmanaged<float*, byte*, long, void>)Export("quantize_row_q5_0_ref"),
                QuantizeRowQ5_1Ref = (delegate* unmanaged<float*, byte*, long, void>)Export("quantize_row_q5_1_ref"),
                QuantizeRowQ2_KRef = (delegate* unmanaged<float*, byte*, long, void>)Export("quantize_row_q2_K_ref"),
                QuantizeRowQ3_KRef = (delegate* unmanaged<float*, byte*, long, void>)Export("quantize_row_q3_K_ref"),
                QuantizeRowQ4_KRef = (delegate* unmanaged<float*, byte*, long, void>)Export("quantize_row_q4_K_ref"),
                QuantizeRowQ5_KRef = (delegate* unmanaged<float*, byte*, long, void>)Export("quantize_row_q5_K_ref"),
                QuantizeRowQ6_KRef = (delegate* unmanaged<float*, byte*, long, void>)Export("quantize_row_q6_K_ref"),
            };
            Loaded[variant] = ggml;
            return ggml;
        }
    }
}
