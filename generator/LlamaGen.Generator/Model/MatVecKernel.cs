using System;

namespace LlamaGen.Generator.Model;

/// <summary>
/// One matrix-vector product the model needs: <see cref="Rows"/> outputs, each the dot product of a weight row
/// of <see cref="Columns"/> elements with the input, for one weight type (spec name: f32, f16, q8_0, q4_0, ...).
/// The generator emits one method per (kernel, ISA) plus a dispatcher.
/// </summary>
internal sealed record MatVecKernel(int Rows, int Columns, string WeightType)
{
    /// <summary>The type as it appears in identifiers and in <c>GgmlType</c>: F32, F16, Q8_0, Q4_0.</summary>
    public string TypeName => WeightType.ToUpperInvariant();

    /// <summary>The dispatcher's name, e.g. <c>MatVec_Q4_0_4096x11008</c>; variants append <c>_Avx512</c> etc.</summary>
    public string Name => "MatVec_" + TypeName + "_" + Rows + "x" + Columns;

    /// <summary>The batched product's name, e.g. <c>MatMul_Q4_0_4096x11008</c>: the same weights applied to several tokens.</summary>
    public string BatchName => "MatMul_" + TypeName + "_" + Rows + "x" + Columns;
}
