using System;
using System.Globalization;
using LlamaGen.Generator.Helpers;
using LlamaGen.Generator.Model;
using LlamaGen.Generator.Shared;

namespace LlamaGen.Generator.Emitters.Kernels;

/// <summary>
/// The row length a kernel is emitted for: a parameter (<c>MatVec_Q4_0(..., int columns)</c>, the kernels models run),
/// or a constant (<c>MatVec_Q4_0_4096</c>, every trip count a literal, emitted only when a project asks for it so the
/// benchmarks can keep measuring what the constants would buy: nothing measurable, see bench/RESULTS.md). Both take
/// <c>columns</c>, so both fit <c>MatrixKernels</c>; the constant variant ignores it.
/// </summary>
internal readonly struct KernelShape
{
    private KernelShape(GgmlType type, int? columns)
    {
        Type = type;
        Columns = columns;
    }

    public static KernelShape Constant(KernelKey key) => new(key.Type, key.Columns);

    public static KernelShape Runtime(GgmlType type) => new(type, null);

    public GgmlType Type { get; }

    /// <summary>The row length, or null for the runtime-dimension variant.</summary>
    public int? Columns { get; }

    public string TypeName => Type.ToString();

    public string MatVecName => "MatVec_" + TypeName + (Columns is int c ? "_" + Text(c) : "");

    public string MatMulName => "MatMul_" + TypeName + (Columns is int c ? "_" + Text(c) : "");

    /// <summary>The trailing parameter of every kernel (the constant variant ignores it).</summary>
    public string ColumnsParameter => ", int columns";

    /// <summary>
    /// Declares <paramref name="name"/>: <c>const int name = value(columns);</c>, or in the runtime variant
    /// <c>int name = expression;</c> over the parameter <c>columns</c>.
    /// </summary>
    public void Int(SourceWriter w, string name, Func<int, long> value, string expression, string comment = "")
    {
        string suffix = comment.Length == 0 ? "" : " // " + comment;
        if (Columns is int c) w.Line($"const int {name} = {Text(value(c))};{suffix}");
        else w.Line($"int {name} = {expression};{suffix}");
    }

    /// <summary>An int computed from constants already declared: <c>const</c> when the shape is constant.</summary>
    public void Derived(SourceWriter w, string name, string expression, string comment = "")
    {
        string suffix = comment.Length == 0 ? "" : " // " + comment;
        w.Line($"{(Columns is null ? "" : "const ")}int {name} = {expression};{suffix}");
    }

    /// <summary>As <see cref="Int"/>, for a long.</summary>
    public void Long(SourceWriter w, string name, Func<int, long> value, string expression)
    {
        if (Columns is int c) w.Line($"const long {name} = {Text(value(c))};");
        else w.Line($"long {name} = {expression};");
    }

    /// <summary>True when the value is known and <paramref name="test"/> holds, or unknown (runtime variant: emit the general code).</summary>
    public bool Maybe(Func<int, bool> test) => Columns is not int c || test(c);

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
