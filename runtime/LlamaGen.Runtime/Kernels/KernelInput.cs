namespace LlamaGen.Kernels;

/// <summary>What a matrix kernel multiplies its weights with: the float activation, or the activation quantized once per product.</summary>
public enum KernelInput
{
    /// <summary>The float activation <c>x</c> (F32, F16 and BF16 weights).</summary>
    Floats = 0,

    /// <summary>Q8_0 blocks (<c>ActivationQuantizer.QuantizeKernelInput</c>): the 32-element block types.</summary>
    Q8_0 = 1,

    /// <summary>Q8_K super-blocks (<c>ActivationQuantizer.QuantizeKernelInputQ8_K</c>): the K-quants.</summary>
    Q8_K = 2,
}
