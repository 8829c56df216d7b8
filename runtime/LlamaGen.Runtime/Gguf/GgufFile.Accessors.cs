namespace LlamaGen.Gguf;

// Typed metadata accessors. The Get* forms throw GgufFormatException naming the key when it is missing or
// has another type; the TryGet* forms return false when the key is missing but still throw when it is
// present with an unusable type (a wrong type is a broken file, not an absent option).
public sealed partial class GgufFile
{
    /// <summary>Byte offset reported for a missing key: the start of the metadata section.</summary>
    private const long MetadataSectionOffset = 24;

    public bool ContainsKey(string key) => metadataIndex.ContainsKey(key);

    public bool TryGetValue(string key, out GgufValue value)
    {
        if (metadataIndex.TryGetValue(key, out int index))
        {
            value = Metadata[index].Value;
            return true;
        }
        value = null!;
        return false;
    }

    /// <summary>The value of <paramref name="key"/>; throws naming the key when it is missing.</summary>
    public GgufValue GetValue(string key) =>
        TryGetValue(key, out var value) ? value : throw Missing(key);

    public string GetString(string key) => TryGetString(key, out var v) ? v : throw Missing(key);
    /// <summary>Accepts any integer type whose value fits in uint32 (llama.cpp writers differ in the width they use).</summary>
    public uint GetUInt32(string key) => TryGetUInt32(key, out var v) ? v : throw Missing(key);
    /// <summary>Accepts any integer type whose value fits in int32.</summary>
    public int GetInt32(string key) => TryGetInt32(key, out var v) ? v : throw Missing(key);
    /// <summary>Accepts float32, and float64 values (converted).</summary>
    public float GetFloat32(string key) => TryGetFloat32(key, out var v) ? v : throw Missing(key);
    public bool GetBool(string key) => TryGetBool(key, out var v) ? v : throw Missing(key);
    public string[] GetStringArray(string key) => TryGetStringArray(key, out var v) ? v : throw Missing(key);
    public float[] GetFloat32Array(string key) => TryGetFloat32Array(key, out var v) ? v : throw Missing(key);
    /// <summary>Accepts arrays of any integer type whose elements fit in int32 (token types are int32 in practice).</summary>
    public int[] GetInt32Array(string key) => TryGetInt32Array(key, out var v) ? v : throw Missing(key);

    public bool TryGetString(string key, out string value)
    {
        value = null!;
        if (!Find(key, out var v, out int index)) return false;
        if (v.Type != GgufValueType.String) throw WrongType(index, v, "string");
        value = (string)v.Value;
        return true;
    }

    public bool TryGetUInt32(string key, out uint value)
    {
        value = 0;
        if (!Find(key, out var v, out int index)) return false;
        if (!v.TryGetInt64(out long n)) throw WrongType(index, v, "an unsigned integer");
        if (n is < 0 or > uint.MaxValue) throw OutOfRange(index, n, "uint32");
        value = (uint)n;
        return true;
    }

    public bool TryGetInt32(string key, out int value)
    {
        value = 0;
        if (!Find(key, out var v, out int index)) return false;
        if (!v.TryGetInt64(out long n)) throw WrongType(index, v, "an integer");
        if (n is < int.MinValue or > int.MaxValue) throw OutOfRange(index, n, "int32");
        value = (int)n;
        return true;
    }

    public bool TryGetFloat32(string key, out float value)
    {
        value = 0;
        if (!Find(key, out var v, out int index)) return false;
        value = v.Type switch
        {
            GgufValueType.Float32 => (float)v.Value,
            GgufValueType.Float64 => (float)(double)v.Value,
            _ => throw WrongType(index, v, "float32"),
        };
        return true;
    }

    public bool TryGetBool(string key, out bool value)
    {
        value = false;
        if (!Find(key, out var v, out int index)) return false;
        if (v.Type != GgufValueType.Bool) throw WrongType(index, v, "bool");
        value = (bool)v.Value;
        return true;
    }

    public bool TryGetStringArray(string key, out string[] value)
    {
        value = null!;
        if (!Find(key, out var v, out int index)) return false;
        if (v.Type != GgufValueType.Array || v.ElementType != GgufValueType.String) throw WrongType(index, v, "array of string");
        value = (string[])v.Value;
        return true;
    }

    public bool TryGetFloat32Array(string key, out float[] value)
    {
        value = null!;
        if (!Find(key, out var v, out int index)) return false;
        if (v.Type != GgufValueType.Array || v.ElementType != GgufValueType.Float32) throw WrongType(index, v, "array of float32");
        value = (float[])v.Value;
        return true;
    }

    public bool TryGetInt32Array(string key, out int[] value)
    {
        value = null!;
        if (!Find(key, out var v, out int index)) return false;
        if (v.Type != GgufValueType.Array) throw WrongType(index, v, "array of int32");
        if (v.ElementType == GgufValueType.Int32)
        {
            value = (int[])v.Value;
            return true;
        }
        // Other integer widths (uint8 token types, uint32 ids, ...) are widened or narrowed with a range check.
        long[] widened = v.Value switch
        {
            byte[] a when v.ElementType == GgufValueType.UInt8 => Array.ConvertAll(a, x => (long)x),
            sbyte[] a when v.ElementType == GgufValueType.Int8 => Array.ConvertAll(a, x => (long)x),
            ushort[] a when v.ElementType == GgufValueType.UInt16 => Array.ConvertAll(a, x => (long)x),
            short[] a when v.ElementType == GgufValueType.Int16 => Array.ConvertAll(a, x => (long)x),
            uint[] a when v.ElementType == GgufValueType.UInt32 => Array.ConvertAll(a, x => (long)x),
            long[] a when v.ElementType == GgufValueType.Int64 => a,
            ulong[] a when v.ElementType == GgufValueType.UInt64 => Array.ConvertAll(a, x => x > long.MaxValue ? long.MaxValue : (long)x),
            _ => throw WrongType(index, v, "array of int32"),
        };
        var result = new int[widened.Length];
        for (int i = 0; i < result.Length; i++)
        {
            if (widened[i] is < int.MinValue or > int.MaxValue)
                throw new GgufFormatException(Path, $"metadata key #{index} '{Metadata[index].Key}' value[{i}]", valueOffsets[index], $"{widened[i]} does not fit in int32");
            result[i] = (int)widened[i];
        }
        value = result;
        return true;
    }

    private bool Find(string key, out GgufValue value, out int index)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (metadataIndex.TryGetValue(key, out index))
        {
            value = Metadata[index].Value;
            return true;
        }
        value = null!;
        return false;
    }

    /// <summary>An error about the value of <paramref name="key"/> (present in the file), pointing at the value's bytes.</summary>
    public GgufFormatException ValueError(string key, string problem)
    {
        if (!metadataIndex.TryGetValue(key, out int index)) return Missing(key);
        return new(Path, $"metadata key #{index} '{key}' value", valueOffsets[index], problem);
    }

    private GgufFormatException Missing(string key) =>
        new(Path, $"metadata key '{key}'", MetadataSectionOffset, "is missing");

    private GgufFormatException WrongType(int index, GgufValue value, string expected)
    {
        string actual = value.Type == GgufValueType.Array ? $"array of {Name(value.ElementType)}" : Name(value.Type);
        return new(Path, $"metadata key #{index} '{Metadata[index].Key}' value", valueOffsets[index], $"has type {actual}, expected {expected}");
    }

    private GgufFormatException OutOfRange(int index, long value, string expected) =>
        new(Path, $"metadata key #{index} '{Metadata[index].Key}' value", valueOffsets[index], $"{value} does not fit in {expected}");
}
