namespace LlamaGen.Conversion;

/// <summary>How <see cref="GgufQuantizer"/> quantizes a model.</summary>
/// <param name="FileType">The llama.cpp file type (and with it the per-tensor recipe), e.g. <see cref="LlamaFileType.MostlyQ4_K_M"/>.</param>
public sealed record GgufQuantizeOptions(LlamaFileType FileType)
{
    /// <summary>llama-quantize's <c>--pure</c>: every quantizable tensor gets the file type's default type, no mixture.</summary>
    public bool Pure { get; init; }

    /// <summary>
    /// llama-quantize's <c>--allow-requantize</c>: accept tensors that are already quantized (dequantized, then
    /// quantized again, which loses more quality than quantizing from 16 or 32 bits).
    /// </summary>
    public bool AllowRequantize { get; init; }

    /// <summary>Replace an existing output file.</summary>
    public bool Overwrite { get; init; }

    /// <summary>Threads quantizing rows; 0 = one per processor. The bytes do not depend on it.</summary>
    public int Threads { get; init; }
}
