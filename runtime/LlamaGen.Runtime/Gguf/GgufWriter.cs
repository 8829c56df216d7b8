using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using LlamaGen.Quantization;

namespace LlamaGen.Gguf;

/// <summary>
/// Writes a GGUF file in one streaming pass, so a multi-gigabyte model never has to be in memory:
/// <list type="number">
/// <item>add metadata (<see cref="AddMetadata(string, GgufValue)"/>) and declare every tensor (<see cref="AddTensor"/>);</item>
/// <item>write each tensor's bytes in declaration order with <see cref="WriteTensorData"/> (a tensor may be
/// written in several chunks); the header and tensor table are written before the first data;</item>
/// <item>call <see cref="Finish"/>, which checks that every declared byte was written.</item>
/// </list>
/// The writer does not own the stream. To make the output appear atomically, write to a temporary file and
/// rename it after <see cref="Finish"/>.
/// </summary>
public sealed class GgufWriter
{
    private readonly Stream output;
    private readonly List<GgufMetadata> metadata = [];
    private readonly HashSet<string> keys = new(StringComparer.Ordinal);
    private readonly List<GgufTensorInfo> tensors = [];
    private readonly HashSet<string> tensorNames = new(StringComparer.Ordinal);
    private long nextOffset;
    private State state = State.Declaring;
    private int currentTensor;
    private long currentWritten;
    private long position;

    private enum State { Declaring, WritingData, Finished }

    /// <param name="output">Where to write; written sequentially, never sought.</param>
    /// <param name="version">GGUF version, 3 (default) or 2; the two differ only in the version number for little-endian files.</param>
    /// <param name="alignment">Tensor data alignment, a power of two; when not 32 it is recorded as <c>general.alignment</c>.</param>
    public GgufWriter(Stream output, uint version = 3, uint alignment = GgufFile.DefaultAlignment)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (!output.CanWrite) throw new ArgumentException("The output stream is not writable.", nameof(output));
        if (version is not (2 or 3)) throw new ArgumentOutOfRangeException(nameof(version), version, "GGUF version must be 2 or 3.");
        if (alignment == 0 || (alignment & (alignment - 1)) != 0)
            throw new ArgumentOutOfRangeException(nameof(alignment), alignment, "Alignment must be a power of two.");
        this.output = output;
        Version = version;
        Alignment = alignment;
        if (alignment != GgufFile.DefaultAlignment)
        {
            keys.Add("general.alignment");
            metadata.Add(new GgufMetadata("general.alignment", GgufValue.Of(alignment)));
        }
    }

    public uint Version { get; }
    public uint Alignment { get; }
    /// <summary>The tensors declared so far, with their data offsets (relative to the data section).</summary>
    public IReadOnlyList<GgufTensorInfo> Tensors => tensors;

    /// <summary>Adds a metadata entry; keys must be unique. <c>general.alignment</c> is set through the constructor.</summary>
    public GgufWriter AddMetadata(string key, GgufValue value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        RequireState(State.Declaring, "add metadata");
        if (key == "general.alignment")
            throw new ArgumentException("Set general.alignment through the GgufWriter constructor.", nameof(key));
        if (!keys.Add(key)) throw new ArgumentException($"Metadata key '{key}' was already added.", nameof(key));
        Validate(value, key, nesting: 0);
        metadata.Add(new GgufMetadata(key, value));
        return this;
    }

    public GgufWriter AddMetadata(string key, string value) => AddMetadata(key, GgufValue.Of(value));
    public GgufWriter AddMetadata(string key, uint value) => AddMetadata(key, GgufValue.Of(value));
    public GgufWriter AddMetadata(string key, int value) => AddMetadata(key, GgufValue.Of(value));
    public GgufWriter AddMetadata(string key, float value) => AddMetadata(key, GgufValue.Of(value));
    public GgufWriter AddMetadata(string key, bool value) => AddMetadata(key, GgufValue.Of(value));

    /// <summary>
    /// Declares a tensor. <paramref name="dimensions"/> are in GGUF order, ne[0] (contiguous) first; ne[0] must be a
    /// whole number of <paramref name="type"/> blocks. Returns the entry, whose <see cref="GgufTensorInfo.ByteLength"/>
    /// is what <see cref="WriteTensorData"/> expects.
    /// </summary>
    public GgufTensorInfo AddTensor(string name, ReadOnlySpan<long> dimensions, GgmlType type)
    {
        ArgumentNullException.ThrowIfNull(name);
        RequireState(State.Declaring, "declare a tensor");
        if (dimensions.Length is < 1 or > 4)
            throw new ArgumentException($"Tensor '{name}' has {dimensions.Length} dimensions; ggml tensors have 1 to 4.", nameof(dimensions));
        if (!GgmlTypeInfo.IsKnown(type)) throw new ArgumentException($"Tensor '{name}' has unknown type {(uint)type}.", nameof(type));
        long rows = 1;
        foreach (long d in dimensions[1..])
        {
            if (d <= 0) throw new ArgumentException($"Tensor '{name}' has a non-positive dimension {d}.", nameof(dimensions));
            rows = checked(rows * d);
        }
        if (dimensions[0] <= 0) throw new ArgumentException($"Tensor '{name}' has a non-positive dimension {dimensions[0]}.", nameof(dimensions));
        if (dimensions[0] % GgmlTypeInfo.BlockSize(type) != 0)
            throw new ArgumentException($"Tensor '{name}': a row of {dimensions[0]} elements is not a whole number of {GgmlTypeInfo.Name(type)} blocks of {GgmlTypeInfo.BlockSize(type)}.", nameof(dimensions));
        if (!tensorNames.Add(name)) throw new ArgumentException($"Tensor '{name}' was already declared.", nameof(name));

        long byteLength = checked(GgmlTypeInfo.RowBytes(type, dimensions[0]) * rows);
        var tensor = new GgufTensorInfo(name, dimensions.ToArray(), type, nextOffset, byteLength);
        tensors.Add(tensor);
        nextOffset = AlignUp(checked(nextOffset + byteLength));
        return tensor;
    }

    /// <summary>
    /// Appends bytes to the current tensor (the first declared tensor not yet complete). A chunk may not run past
    /// the end of its tensor. Writes the header and tensor table first if they have not been written.
    /// </summary>
    public void WriteTensorData(ReadOnlySpan<byte> data)
    {
        if (state == State.Declaring) WriteHeader();
        RequireState(State.WritingData, "write tensor data");
        while (currentTensor < tensors.Count && currentWritten == tensors[currentTensor].ByteLength) NextTensor();
        if (currentTensor >= tensors.Count)
        {
            if (data.IsEmpty) return;
            throw new InvalidOperationException($"All {tensors.Count} declared tensors are already written; {data.Length} bytes more were given.");
        }
        var tensor = tensors[currentTensor];
        if (data.Length > tensor.ByteLength - currentWritten)
            throw new ArgumentException(
                $"Tensor '{tensor.Name}' is {tensor.ByteLength} bytes; {currentWritten} were written and {data.Length} more were given.", nameof(data));
        Write(data);
        currentWritten += data.Length;
        if (currentWritten == tensor.ByteLength) NextTensor();
    }

    /// <summary>Writes the header if nothing was written yet, checks that every tensor is complete and flushes.</summary>
    public void Finish()
    {
        if (state == State.Declaring) WriteHeader();
        RequireState(State.WritingData, "finish");
        while (currentTensor < tensors.Count && currentWritten == tensors[currentTensor].ByteLength) NextTensor();
        if (currentTensor < tensors.Count)
            throw new InvalidOperationException(
                $"Tensor '{tensors[currentTensor].Name}' has {currentWritten} of {tensors[currentTensor].ByteLength} bytes written; {tensors.Count - currentTensor - 1} tensors after it have none.");
        output.Flush();
        state = State.Finished;
    }

    private void NextTensor()
    {
        // Pad to the next tensor's aligned offset; the last tensor is padded too, as llama.cpp does.
        long end = tensors[currentTensor].Offset + tensors[currentTensor].ByteLength;
        WritePadding(AlignUp(end) - end);
        currentTensor++;
        currentWritten = 0;
    }

    private void WriteHeader()
    {
        Write("GGUF"u8);
        WriteUInt32(Version);
        WriteUInt64((ulong)tensors.Count);
        WriteUInt64((ulong)metadata.Count);
        foreach (var entry in metadata)
        {
            WriteString(entry.Key);
            WriteUInt32((uint)entry.Value.Type);
            WriteValue(entry.Value);
        }
        foreach (var tensor in tensors)
        {
            WriteString(tensor.Name);
            WriteUInt32((uint)tensor.Dimensions.Length);
            foreach (long d in tensor.Dimensions) WriteUInt64((ulong)d);
            WriteUInt32((uint)tensor.Type);
            WriteUInt64((ulong)tensor.Offset);
        }
        WritePadding(AlignUp(position) - position);
        state = State.WritingData;
    }

    private void WriteValue(GgufValue value)
    {
        switch (value.Type)
        {
            case GgufValueType.Array:
                WriteUInt32((uint)value.ElementType);
                var array = (Array)value.Value;
                WriteUInt64((ulong)array.LongLength);
                switch (array)
                {
                    case string[] strings: foreach (var s in strings) WriteString(s); break;
                    case GgufValue[] arrays: foreach (var a in arrays) { WriteValue(a); } break;
                    case bool[] bools: foreach (var b in bools) WriteByte(b ? (byte)1 : (byte)0); break;
                    // Fixed-size numeric arrays are written as their in-memory bytes (the host is little-endian).
                    case byte[] a: Write(a); break;
                    case sbyte[] a: Write(MemoryMarshal.AsBytes(a.AsSpan())); break;
                    case ushort[] a: Write(MemoryMarshal.AsBytes(a.AsSpan())); break;
                    case short[] a: Write(MemoryMarshal.AsBytes(a.AsSpan())); break;
                    case uint[] a: Write(MemoryMarshal.AsBytes(a.AsSpan())); break;
                    case int[] a: Write(MemoryMarshal.AsBytes(a.AsSpan())); break;
                    case float[] a: Write(MemoryMarshal.AsBytes(a.AsSpan())); break;
                    case ulong[] a: Write(MemoryMarshal.AsBytes(a.AsSpan())); break;
                    case long[] a: Write(MemoryMarshal.AsBytes(a.AsSpan())); break;
                    case double[] a: Write(MemoryMarshal.AsBytes(a.AsSpan())); break;
                    default: throw new InvalidOperationException($"unreachable: array type {array.GetType()} was validated");
                }
                break;
            default:
                WriteScalar(value.Type, value.Value);
                break;
        }
    }

    private void WriteScalar(GgufValueType type, object value)
    {
        Span<byte> buffer = stackalloc byte[8];
        switch (type)
        {
            case GgufValueType.UInt8: WriteByte((byte)value); break;
            case GgufValueType.Int8: WriteByte((byte)(sbyte)value); break;
            case GgufValueType.UInt16: BinaryPrimitives.WriteUInt16LittleEndian(buffer, (ushort)value); Write(buffer[..2]); break;
            case GgufValueType.Int16: BinaryPrimitives.WriteInt16LittleEndian(buffer, (short)value); Write(buffer[..2]); break;
            case GgufValueType.UInt32: WriteUInt32((uint)value); break;
            case GgufValueType.Int32: BinaryPrimitives.WriteInt32LittleEndian(buffer, (int)value); Write(buffer[..4]); break;
            case GgufValueType.Float32: BinaryPrimitives.WriteSingleLittleEndian(buffer, (float)value); Write(buffer[..4]); break;
            case GgufValueType.Bool: WriteByte((bool)value ? (byte)1 : (byte)0); break;
            case GgufValueType.String: WriteString((string)value); break;
            case GgufValueType.UInt64: WriteUInt64((ulong)value); break;
            case GgufValueType.Int64: BinaryPrimitives.WriteInt64LittleEndian(buffer, (long)value); Write(buffer); break;
            case GgufValueType.Float64: BinaryPrimitives.WriteDoubleLittleEndian(buffer, (double)value); Write(buffer); break;
            default: throw new InvalidOperationException($"unreachable: value type {type} was validated");
        }
    }

    /// <summary>Checks that the CLR type of <see cref="GgufValue.Value"/> matches its declared GGUF type, so the header cannot be written half-way and fail.</summary>
    private static void Validate(GgufValue value, string key, int nesting)
    {
        bool matches = value.Type == GgufValueType.Array
            ? HoldsArrayOf(value.ElementType, value.Value)
            : HoldsScalar(value.Type, value.Value);
        if (!matches)
            throw new ArgumentException(
                $"Metadata '{key}': a {value.Type}{(value.Type == GgufValueType.Array ? " of " + value.ElementType : "")} value cannot hold {value.Value?.GetType().Name ?? "null"}; build values with GgufValue.Of.");
        if (value.Value is string[] strings && Array.IndexOf(strings, null) >= 0)
            throw new ArgumentException($"Metadata '{key}': the string array contains null.");
        if (value.Value is GgufValue[] arrays)
        {
            if (nesting >= 7) throw new ArgumentException($"Metadata '{key}': arrays are nested too deeply.");
            foreach (var inner in arrays)
            {
                if (inner is null || inner.Type != GgufValueType.Array)
                    throw new ArgumentException($"Metadata '{key}': every element of an array of arrays must be an array.");
                Validate(inner, key, nesting + 1);
            }
        }
    }

    private static bool HoldsScalar(GgufValueType type, object? value) => type switch
    {
        GgufValueType.UInt8 => value is byte,
        GgufValueType.Int8 => value is sbyte,
        GgufValueType.UInt16 => value is ushort,
        GgufValueType.Int16 => value is short,
        GgufValueType.UInt32 => value is uint,
        GgufValueType.Int32 => value is int,
        GgufValueType.Float32 => value is float,
        GgufValueType.Bool => value is bool,
        GgufValueType.String => value is string,
        GgufValueType.UInt64 => value is ulong,
        GgufValueType.Int64 => value is long,
        GgufValueType.Float64 => value is double,
        _ => false,
    };

    private static bool HoldsArrayOf(GgufValueType element, object? value) => element switch
    {
        GgufValueType.UInt8 => value is byte[],
        GgufValueType.Int8 => value is sbyte[],
        GgufValueType.UInt16 => value is ushort[],
        GgufValueType.Int16 => value is short[],
        GgufValueType.UInt32 => value is uint[],
        GgufValueType.Int32 => value is int[],
        GgufValueType.Float32 => value is float[],
        GgufValueType.Bool => value is bool[],
        GgufValueType.String => value is string[],
        GgufValueType.UInt64 => value is ulong[],
        GgufValueType.Int64 => value is long[],
        GgufValueType.Float64 => value is double[],
        GgufValueType.Array => value is GgufValue[],
        _ => false,
    };

    private void RequireState(State required, string action)
    {
        if (state != required)
            throw new InvalidOperationException(state switch
            {
                State.Finished => $"Cannot {action}: the GGUF file is finished.",
                State.WritingData => $"Cannot {action}: tensor data is being written (metadata and tensors must all be declared first).",
                _ => $"Cannot {action} before the header is written.",
            });
    }

    private long AlignUp(long offset) => (offset + Alignment - 1) & ~((long)Alignment - 1);

    private void WriteString(string s)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(s);
        WriteUInt64((ulong)bytes.Length);
        Write(bytes);
    }

    private void WriteUInt32(uint v)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, v);
        Write(b);
    }

    private void WriteUInt64(ulong v)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(b, v);
        Write(b);
    }

    private void WriteByte(byte v)
    {
        output.WriteByte(v);
        position++;
    }

    private void WritePadding(long count)
    {
        Span<byte> zeros = stackalloc byte[64];
        zeros.Clear();
        while (count > 0)
        {
            int n = (int)Math.Min(count, zeros.Length);
            Write(zeros[..n]);
            count -= n;
        }
    }

    private void Write(ReadOnlySpan<byte> bytes)
    {
        output.Write(bytes);
        position += bytes.Length;
    }
}
