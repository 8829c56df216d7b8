using System.Globalization;

namespace LlamaGen.Gguf;

/// <summary>
/// A metadata value: a scalar, a string, or an array of one element type.
/// Build them with the <see cref="Of(string)"/> overloads, which pick the GGUF type from the CLR type.
/// </summary>
public sealed class GgufValue
{
    public GgufValueType Type { get; init; }
    /// <summary>For arrays, the type of every element; otherwise unused.</summary>
    public GgufValueType ElementType { get; init; }
    /// <summary>
    /// The boxed scalar (<c>uint</c>, <c>float</c>, <c>bool</c>, ...), the string, or the typed array
    /// (<c>float[]</c>, <c>string[]</c>, ...; <c>GgufValue[]</c> for arrays of arrays).
    /// </summary>
    public object Value { get; init; } = null!;

    public static GgufValue Of(byte value) => Scalar(GgufValueType.UInt8, value);
    public static GgufValue Of(sbyte value) => Scalar(GgufValueType.Int8, value);
    public static GgufValue Of(ushort value) => Scalar(GgufValueType.UInt16, value);
    public static GgufValue Of(short value) => Scalar(GgufValueType.Int16, value);
    public static GgufValue Of(uint value) => Scalar(GgufValueType.UInt32, value);
    public static GgufValue Of(int value) => Scalar(GgufValueType.Int32, value);
    public static GgufValue Of(float value) => Scalar(GgufValueType.Float32, value);
    public static GgufValue Of(bool value) => Scalar(GgufValueType.Bool, value);
    public static GgufValue Of(string value) => Scalar(GgufValueType.String, value ?? throw new ArgumentNullException(nameof(value)));
    public static GgufValue Of(ulong value) => Scalar(GgufValueType.UInt64, value);
    public static GgufValue Of(long value) => Scalar(GgufValueType.Int64, value);
    public static GgufValue Of(double value) => Scalar(GgufValueType.Float64, value);

    public static GgufValue Of(byte[] values) => Array(GgufValueType.UInt8, values);
    public static GgufValue Of(sbyte[] values) => Array(GgufValueType.Int8, values);
    public static GgufValue Of(ushort[] values) => Array(GgufValueType.UInt16, values);
    public static GgufValue Of(short[] values) => Array(GgufValueType.Int16, values);
    public static GgufValue Of(uint[] values) => Array(GgufValueType.UInt32, values);
    public static GgufValue Of(int[] values) => Array(GgufValueType.Int32, values);
    public static GgufValue Of(float[] values) => Array(GgufValueType.Float32, values);
    public static GgufValue Of(bool[] values) => Array(GgufValueType.Bool, values);
    public static GgufValue Of(string[] values) => Array(GgufValueType.String, values);
    public static GgufValue Of(ulong[] values) => Array(GgufValueType.UInt64, values);
    public static GgufValue Of(long[] values) => Array(GgufValueType.Int64, values);
    public static GgufValue Of(double[] values) => Array(GgufValueType.Float64, values);
    /// <summary>An array of arrays (GGUF allows nesting).</summary>
    public static GgufValue Of(GgufValue[] values) => Array(GgufValueType.Array, values);

    /// <summary>Number of elements for arrays; 1 for scalars.</summary>
    public long Count => Type == GgufValueType.Array ? ((System.Array)Value).LongLength : 1;

    /// <summary>
    /// The value as a signed 64-bit integer when it is an integer type (any width, signed or not) whose
    /// value fits; false for other types or out-of-range <c>uint64</c> values.
    /// </summary>
    public bool TryGetInt64(out long result)
    {
        switch (Value)
        {
            case byte v when Type == GgufValueType.UInt8: result = v; return true;
            case sbyte v when Type == GgufValueType.Int8: result = v; return true;
            case ushort v when Type == GgufValueType.UInt16: result = v; return true;
            case short v when Type == GgufValueType.Int16: result = v; return true;
            case uint v when Type == GgufValueType.UInt32: result = v; return true;
            case int v when Type == GgufValueType.Int32: result = v; return true;
            case long v when Type == GgufValueType.Int64: result = v; return true;
            case ulong v when Type == GgufValueType.UInt64 && v <= long.MaxValue: result = (long)v; return true;
            default: result = 0; return false;
        }
    }

    /// <summary>A short human-readable rendering (long arrays are abbreviated).</summary>
    public override string ToString()
    {
        if (Type != GgufValueType.Array) return Format(Value);
        var array = (System.Array)Value;
        const int shown = 8;
        var parts = new List<string>();
        for (int i = 0; i < Math.Min(array.Length, shown); i++) parts.Add(Format(array.GetValue(i)!));
        string more = array.Length > shown ? $", ... ({array.Length} {ElementType} elements)" : "";
        return "[" + string.Join(", ", parts) + more + "]";
    }

    private static string Format(object value) => value switch
    {
        string s => "\"" + s.Replace("\n", "\\n") + "\"",
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static GgufValue Scalar(GgufValueType type, object value) => new() { Type = type, Value = value };

    private static GgufValue Array(GgufValueType elementType, System.Array values) =>
        new() { Type = GgufValueType.Array, ElementType = elementType, Value = values ?? throw new ArgumentNullException(nameof(values)) };
}
