using System;
using LlamaGen.Generator.Shared;

namespace LlamaGen.Generator.Model;

/// <summary>
/// What a matrix kernel is specialized on besides the ISA: the row length and the weight type. Every
/// <c>[LlamaModel]</c> of a compilation that multiplies rows of <see cref="Columns"/> elements of <see cref="Type"/>
/// weights shares one kernel per ISA; the rows are an argument.
/// </summary>
internal sealed record KernelKey(int Columns, GgmlType Type) : IComparable<KernelKey>
{
    /// <summary>The type as it appears in identifiers and in <c>GgmlType</c>: F32, Q4_0, Q6_K.</summary>
    public string TypeName => Type.ToString();

    /// <summary>The matrix-vector kernel, e.g. <c>MatVec_Q4_0_4096</c> (one per ISA class).</summary>
    public string MatVecName => "MatVec_" + TypeName + "_" + Columns.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The batched product (the same weights applied to the tokens of a prompt chunk), e.g. <c>MatMul_Q4_0_4096</c>.</summary>
    public string MatMulName => "MatMul_" + TypeName + "_" + Columns.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Columns first, then the ggml type number: the order kernels appear in the generated files.</summary>
    public int CompareTo(KernelKey? other)
    {
        if (other is null) return 1;
        int byColumns = Columns.CompareTo(other.Columns);
        return byColumns != 0 ? byColumns : ((uint)Type).CompareTo((uint)other.Type);
    }
}
