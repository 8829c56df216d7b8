// Shared source: compiled into the runtime (public, LlamaGen.Quantization) and linked into the generator (internal,
// LlamaGen.Generator.Shared), so both name the weight types and their blocks the same way. netstandard2.0-safe C#.
#if LLAMAGEN_GENERATOR
namespace LlamaGen.Generator.Shared;
#else
namespace LlamaGen.Quantization;
#endif

/// <summary>Tensor element types, numbered as ggml numbers them in GGUF files.</summary>
#if LLAMAGEN_GENERATOR
internal
#else
public
#endif
enum GgmlType : uint
{
    F32 = 0,
    F16 = 1,
    Q4_0 = 2,
    Q4_1 = 3,
    Q5_0 = 6,
    Q5_1 = 7,
    Q8_0 = 8,
    Q8_1 = 9,
    Q2_K = 10,
    Q3_K = 11,
    Q4_K = 12,
    Q5_K = 13,
    Q6_K = 14,
    Q8_K = 15,
    BF16 = 30,
}
