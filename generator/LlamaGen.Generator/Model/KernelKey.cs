using System;
using LlamaGen.Generator.Shared;

namespace LlamaGen.Generator.Model;

/// <summary>
/// A (row length, weight type) some <c>[LlamaModel]</c> of the compilation multiplies. The kernels are one per
/// (type, ISA) with the row length an argument; the keys decide which types get kernels, and, for the benchmarks, which
/// constant-shape copies are emitted.
/// </summary>
internal sealed record KernelKey(int Columns, GgmlType Type) : IComparable<KernelKey>
{
    /// <summary>The type as it appears in identifiers and in <c>GgmlType</c>: F32, Q4_0, Q6_K.</summary>
    public string TypeName => Type.ToString();

    /// <summary>The constant-shape copy of the matrix-vector kernel, e.g. <c>MatVec_Q4_0_4096</c> (benchmarks only).</summary>
    public string MatVecName => "MatVec_" + TypeName + "_" + Columns.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The constant-shape copy of the batched product, e.g. <c>MatMul_Q4_0_4096</c> (benchmarks only).</summary>
    public string MatMulName => "MatMul_" + TypeName + "_" + Columns.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Columns first, then the ggml type number: the order kernels appear in the generated files.</summary>
    public int CompareTo(KernelKey? other)
    {
        if (other is null) return 1;
        int byColumns = Columns.CompareTo(other.Columns);
        return byColumns != 0 ? byColumns : ((uint)Type).CompareTo((uint)other.Type);
    }
}
