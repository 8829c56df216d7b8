using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using LlamaGen.Quantization;

namespace LlamaGen.Gguf;

/// <summary>
/// A GGUF v2/v3 file, memory-mapped read-only and validated on open: every count, length, type,
/// dimension and offset is checked before use, and every tensor's data is known to lie inside the file.
/// A malformed file throws <see cref="GgufFormatException"/> naming the field and its byte offset.
/// Tensor pointers stay valid until <see cref="Dispose"/>.
/// </summary>
public sealed unsafe partial class GgufFile : IDisposable
{
    /// <summary>Alignment of tensor data when <c>general.alignment</c> is absent (GGUF spec).</summary>
    public const uint DefaultAlignment = 32;

    /// <summary>Metadata keys whose value is an array nested deeper than this are rejected (guards the stack).</summary>
    private const int MaxArrayNesting = 8;

    /// <summary>
    /// Longest metadata array accepted. Real vocabularies and merge lists are under a million entries; the cap keeps a
    /// corrupt length in a multi-gigabyte file from allocating gigabytes before the corruption is noticed.
    /// </summary>
    public const int MaxArrayLength = 1 << 24;

    private const uint MinSupportedVersion = 2, MaxSupportedVersion = 3;

    // Smallest possible encodings, used to bound counts by the bytes left before allocating anything.
    private const long MinMetadataBytes = 8 + 4 + 1;          // empty key, type, 1-byte value
    private const long MinTensorInfoBytes = 8 + 4 + 8 + 4 + 8; // empty name, n_dims, one dim, type, offset

    private readonly MemoryMappedFile mapping;
    private readonly MemoryMappedViewAccessor view;
    private byte* basePointer;
    private readonly long fileLength;
    private readonly Dictionary<string, int> metadataIndex;
    private readonly long[] valueOffsets;
    private readonly Dictionary<string, GgufTensorInfo> tensorsByName;

    public string Path { get; }
    public uint Version { get; }
    /// <summary>Key/value metadata in file order.</summary>
    public IReadOnlyList<GgufMetadata> Metadata { get; }
    /// <summary>Tensor table in file order.</summary>
    public IReadOnlyList<GgufTensorInfo> Tensors { get; }
    /// <summary>Absolute file offset of the (aligned) tensor data section.</summary>
    public long DataOffset { get; }
    /// <summary>Alignment of the tensor data (<c>general.alignment</c>, default 32).</summary>
    public uint Alignment { get; }
    /// <summary>Size of the file in bytes.</summary>
    public long FileLength => fileLength;

    private GgufFile(string path, MemoryMappedFile mapping, MemoryMappedViewAccessor view, byte* basePointer, long fileLength)
    {
        Path = path;
        this.mapping = mapping;
        this.view = view;
        this.basePointer = basePointer;
        this.fileLength = fileLength;

        var cursor = new GgufCursor(basePointer, fileLength, path);
        Version = ReadHeader(cursor, out ulong tensorCount, out ulong metadataCount);

        var metadata = new List<GgufMetadata>((int)Math.Min(metadataCount, 4096));
        var offsets = new List<long>(metadata.Capacity);
        metadataIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (long i = 0; i < (long)metadataCount; i++)
        {
            long keyAt = cursor.Position;
            string key = cursor.ReadString($"metadata key #{i}");
            string field = $"metadata key #{i} '{key}'";
            if (metadataIndex.ContainsKey(key))
                throw cursor.Error(field, keyAt, "duplicate key");
            var type = ReadValueType(cursor, field + " type");
            offsets.Add(cursor.Position);
            var value = ReadValue(cursor, type, field + " value", nesting: 0);
            metadataIndex.Add(key, metadata.Count);
            metadata.Add(new GgufMetadata(key, value));
        }
        Metadata = metadata;
        valueOffsets = offsets.ToArray();

        Alignment = ReadAlignment(cursor);

        var tensors = new List<GgufTensorInfo>((int)Math.Min(tensorCount, 65536));
        var offsetFieldPositions = new List<long>(tensors.Capacity);
        tensorsByName = new Dictionary<string, GgufTensorInfo>(StringComparer.Ordinal);
        for (long i = 0; i < (long)tensorCount; i++)
        {
            var tensor = ReadTensorInfo(cursor, i, out long offsetAt);
            tensors.Add(tensor);
            offsetFieldPositions.Add(offsetAt);
        }
        Tensors = tensors;

        // The data section starts at the first aligned offset after the tensor table.
        DataOffset = AlignUp(cursor.Position, Alignment);
        CheckTensorData(cursor, tensors, offsetFieldPositions);
    }

    /// <summary>Maps and validates <paramref name="path"/>. Throws <see cref="GgufFormatException"/> if it is not a valid GGUF v2/v3 file.</summary>
    public static GgufFile Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("GGUF reading is implemented for little-endian hosts only.");

        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        long length = stream.Length;
        if (length == 0)
        {
            stream.Dispose();
            throw new GgufFormatException(path, "magic", 0, "not a GGUF file: the file is empty");
        }

        MemoryMappedFile? mapping = null;
        MemoryMappedViewAccessor? view = null;
        byte* pointer = null;
        bool acquired = false;
        try
        {
            mapping = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
            view = mapping.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read);
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            acquired = true;
            return new GgufFile(path, mapping, view, pointer + view.PointerOffset, length);
        }
        catch
        {
            if (acquired) view!.SafeMemoryMappedViewHandle.ReleasePointer();
            view?.Dispose();
            if (mapping is not null) mapping.Dispose();
            else stream.Dispose();
            throw;
        }
    }

    public bool TryGetTensor(string name, out GgufTensorInfo tensor) => tensorsByName.TryGetValue(name, out tensor!);

    /// <summary>Pointer to the first byte of a tensor's data inside the mapping (bounds checked at open).</summary>
    public nint GetTensorPointer(GgufTensorInfo tensor)
    {
        CheckOwnTensor(tensor);
        return (nint)(basePointer + DataOffset + tensor.Offset);
    }

    /// <summary>A tensor's data as a span (tensors of 2 GiB or more need <see cref="GetTensorPointer"/>).</summary>
    public ReadOnlySpan<byte> GetTensorBytes(GgufTensorInfo tensor)
    {
        CheckOwnTensor(tensor);
        if (tensor.ByteLength > int.MaxValue)
            throw new InvalidOperationException($"{Path}: tensor '{tensor.Name}' is {tensor.ByteLength} bytes, too large for a span; use GetTensorPointer.");
        return new ReadOnlySpan<byte>(basePointer + DataOffset + tensor.Offset, (int)tensor.ByteLength);
    }

    public void Dispose()
    {
        if (basePointer == null) return;
        basePointer = null;
        view.SafeMemoryMappedViewHandle.ReleasePointer();
        view.Dispose();
        mapping.Dispose();
    }

    private void CheckOwnTensor(GgufTensorInfo tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        ObjectDisposedException.ThrowIf(basePointer == null, this);
        if (!tensorsByName.TryGetValue(tensor.Name, out var own) || !ReferenceEquals(own, tensor) && !own.Equals(tensor))
            throw new ArgumentException($"Tensor '{tensor.Name}' does not belong to {Path}.", nameof(tensor));
    }

    private static long AlignUp(long offset, uint alignment) => (offset + alignment - 1) & ~((long)alignment - 1);

    private static uint ReadHeader(GgufCursor cursor, out ulong tensorCount, out ulong metadataCount)
    {
        if (cursor.Length < 4)
            throw cursor.Error("magic", 0, $"not a GGUF file: it is only {cursor.Length} bytes long");
        var magic = cursor.Take(4, "magic");
        if (!magic.SequenceEqual("GGUF"u8))
            throw cursor.Error("magic", 0, $"not a GGUF file: magic is {DescribeMagic(magic)}, expected \"GGUF\"");

        long at = cursor.Position;
        uint version = cursor.ReadUInt32("version");
        if (version is < MinSupportedVersion or > MaxSupportedVersion)
        {
            string hint = version == 1 ? " (GGUF v1 used 32-bit counts; convert the file with a current llama.cpp)"
                : (version & 0xFFFF) == 0 && version != 0 ? " (this looks like a big-endian GGUF file, which is not supported)"
                : "";
            throw cursor.Error("version", at, $"unsupported GGUF version {version}; versions {MinSupportedVersion} and {MaxSupportedVersion} are supported{hint}");
        }

        at = cursor.Position;
        tensorCount = cursor.ReadUInt64("tensor count");
        long headerRest = 8; // the metadata count still to come
        if (tensorCount > (ulong)((cursor.Remaining - headerRest) / MinTensorInfoBytes))
            throw cursor.Error("tensor count", at, $"{tensorCount} tensors cannot fit in the {cursor.Length} bytes of the file");

        at = cursor.Position;
        metadataCount = cursor.ReadUInt64("metadata count");
        if (metadataCount > (ulong)(cursor.Remaining / MinMetadataBytes))
            throw cursor.Error("metadata count", at, $"{metadataCount} metadata entries cannot fit in the {cursor.Length} bytes of the file");
        return version;
    }

    private static string DescribeMagic(ReadOnlySpan<byte> magic)
    {
        var hex = string.Join(" ", magic.ToArray().Select(b => b.ToString("x2")));
        bool printable = true;
        foreach (byte b in magic) printable &= b is >= 0x20 and < 0x7f;
        return printable ? $"\"{System.Text.Encoding.ASCII.GetString(magic)}\" ({hex})" : hex;
    }

    private static GgufValueType ReadValueType(GgufCursor cursor, string field)
    {
        long at = cursor.Position;
        uint type = cursor.ReadUInt32(field);
        if (type > (uint)GgufValueType.Float64)
            throw cursor.Error(field, at, $"unknown metadata value type {type} (GGUF defines 0..12)");
        return (GgufValueType)type;
    }

    private static GgufValue ReadValue(GgufCursor cursor, GgufValueType type, string field, int nesting)
    {
        object value = type switch
        {
            GgufValueType.UInt8 => cursor.ReadUInt8(field),
            GgufValueType.Int8 => cursor.ReadInt8(field),
            GgufValueType.UInt16 => cursor.ReadUInt16(field),
            GgufValueType.Int16 => cursor.ReadInt16(field),
            GgufValueType.UInt32 => cursor.ReadUInt32(field),
            GgufValueType.Int32 => cursor.ReadInt32(field),
            GgufValueType.Float32 => cursor.ReadFloat32(field),
            GgufValueType.Bool => cursor.ReadBool(field),
            GgufValueType.String => cursor.ReadString(field),
            GgufValueType.UInt64 => cursor.ReadUInt64(field),
            GgufValueType.Int64 => cursor.ReadInt64(field),
            GgufValueType.Float64 => cursor.ReadFloat64(field),
            GgufValueType.Array => null!,
            _ => throw new InvalidOperationException("unreachable: type was validated"),
        };
        if (type != GgufValueType.Array) return new GgufValue { Type = type, Value = value };
        return ReadArray(cursor, field, nesting);
    }

    private static GgufValue ReadArray(GgufCursor cursor, string field, int nesting)
    {
        long typeAt = cursor.Position;
        var elementType = ReadValueType(cursor, field + " array element type");
        if (elementType == GgufValueType.Array && nesting + 1 >= MaxArrayNesting)
            throw cursor.Error(field + " array element type", typeAt, $"arrays nested more than {MaxArrayNesting} deep are not supported");

        long countAt = cursor.Position;
        ulong count = cursor.ReadUInt64(field + " array length");
        long minElementBytes = elementType switch
        {
            GgufValueType.String => 8,
            GgufValueType.Array => 4 + 8,
            _ => FixedSize(elementType),
        };
        if (count > (ulong)(cursor.Remaining / minElementBytes))
            throw cursor.Error(field + " array length", countAt,
                $"{count} {Name(elementType)} elements need at least {(count > long.MaxValue / 16 ? "more" : ((long)count * minElementBytes).ToString())} bytes but only {cursor.Remaining} remain");
        if (count > MaxArrayLength)
            throw cursor.Error(field + " array length", countAt, $"{count} elements is more than the {MaxArrayLength} this reader accepts");
        int n = (int)count;

        Array values;
        switch (elementType)
        {
            case GgufValueType.String:
            {
                var strings = new string[n];
                for (int i = 0; i < n; i++) strings[i] = cursor.ReadString(field + "[" + i + "]");
                values = strings;
                break;
            }
            case GgufValueType.Array:
            {
                var arrays = new GgufValue[n];
                for (int i = 0; i < n; i++)
                    arrays[i] = ReadArray(cursor, $"{field}[{i}]", nesting + 1);
                values = arrays;
                break;
            }
            case GgufValueType.Bool:
            {
                long at = cursor.Position;
                var bytes = cursor.Take(n, field);
                var bools = new bool[n];
                for (int i = 0; i < n; i++)
                {
                    if (bytes[i] > 1) throw cursor.Error($"{field}[{i}]", at + i, $"a bool must be 0 or 1, found {bytes[i]}");
                    bools[i] = bytes[i] == 1;
                }
                values = bools;
                break;
            }
            default:
            {
                // Fixed-size little-endian elements: one bounds check, then a straight copy.
                var bytes = cursor.Take((long)n * minElementBytes, field);
                values = elementType switch
                {
                    GgufValueType.UInt8 => bytes.ToArray(),
                    GgufValueType.Int8 => MemoryMarshal.Cast<byte, sbyte>(bytes).ToArray(),
                    GgufValueType.UInt16 => MemoryMarshal.Cast<byte, ushort>(bytes).ToArray(),
                    GgufValueType.Int16 => MemoryMarshal.Cast<byte, short>(bytes).ToArray(),
                    GgufValueType.UInt32 => MemoryMarshal.Cast<byte, uint>(bytes).ToArray(),
                    GgufValueType.Int32 => MemoryMarshal.Cast<byte, int>(bytes).ToArray(),
                    GgufValueType.Float32 => MemoryMarshal.Cast<byte, float>(bytes).ToArray(),
                    GgufValueType.UInt64 => MemoryMarshal.Cast<byte, ulong>(bytes).ToArray(),
                    GgufValueType.Int64 => MemoryMarshal.Cast<byte, long>(bytes).ToArray(),
                    GgufValueType.Float64 => MemoryMarshal.Cast<byte, double>(bytes).ToArray(),
                    _ => throw new InvalidOperationException("unreachable: type was validated"),
                };
                break;
            }
        }
        return new GgufValue { Type = GgufValueType.Array, ElementType = elementType, Value = values };
    }

    /// <summary>Bytes of a fixed-size scalar type.</summary>
    internal static int FixedSize(GgufValueType type) => type switch
    {
        GgufValueType.UInt8 or GgufValueType.Int8 or GgufValueType.Bool => 1,
        GgufValueType.UInt16 or GgufValueType.Int16 => 2,
        GgufValueType.UInt32 or GgufValueType.Int32 or GgufValueType.Float32 => 4,
        GgufValueType.UInt64 or GgufValueType.Int64 or GgufValueType.Float64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "not a fixed-size type"),
    };

    /// <summary>The GGUF spelling of a value type (<c>uint32</c>, <c>string</c>, ...).</summary>
    internal static string Name(GgufValueType type) => type.ToString().ToLowerInvariant();

    private uint ReadAlignment(GgufCursor cursor)
    {
        if (!metadataIndex.TryGetValue("general.alignment", out int index)) return DefaultAlignment;
        var value = Metadata[index].Value;
        string field = $"metadata key #{index} 'general.alignment' value";
        if (value.Type != GgufValueType.UInt32)
            throw cursor.Error(field, valueOffsets[index], $"has type {Name(value.Type)}, expected uint32");
        uint alignment = (uint)value.Value;
        if (alignment == 0 || (alignment & (alignment - 1)) != 0)
            throw cursor.Error(field, valueOffsets[index], $"alignment {alignment} is not a power of two");
        return alignment;
    }

    private GgufTensorInfo ReadTensorInfo(GgufCursor cursor, long index, out long offsetAt)
    {
        long nameAt = cursor.Position;
        string name = cursor.ReadString($"tensor #{index} name");
        string field = $"tensor '{name}'";
        if (tensorsByName.ContainsKey(name))
            throw cursor.Error(field + " name", nameAt, "duplicate tensor name");

        long at = cursor.Position;
        uint dimensionCount = cursor.ReadUInt32(field + " dimension count");
        if (dimensionCount is < 1 or > 4)
            throw cursor.Error(field + " dimension count", at, $"{dimensionCount} dimensions; ggml tensors have 1 to 4");

        var dimensions = new long[dimensionCount];
        long elements = 1;
        for (int d = 0; d < dimensionCount; d++)
        {
            at = cursor.Position;
            ulong ne = cursor.ReadUInt64($"{field} ne[{d}]");
            if (ne == 0 || ne > long.MaxValue)
                throw cursor.Error($"{field} ne[{d}]", at, $"dimension {ne} is not a positive size");
            dimensions[d] = (long)ne;
            if (elements > long.MaxValue / (long)ne)
                throw cursor.Error($"{field} ne[{d}]", at, $"element count of {name} {string.Join("x", dimensions.Take(d + 1))} overflows 64 bits");
            elements *= (long)ne;
        }

        at = cursor.Position;
        uint rawType = cursor.ReadUInt32(field + " type");
        var type = (GgmlType)rawType;
        if (!Enum.IsDefined(type) || !GgmlTypeInfo.IsKnown(type))
            throw cursor.Error(field + " type", at, $"ggml tensor type {rawType}{GgmlTypeNames.Describe(rawType)} is not supported");

        int blockSize = GgmlTypeInfo.BlockSize(type);
        if (dimensions[0] % blockSize != 0)
            throw cursor.Error(field + " ne[0]", at - 8 * dimensionCount,
                $"a row of {dimensions[0]} elements is not a whole number of {GgmlTypeInfo.Name(type)} blocks of {blockSize}");
        long rows = elements / dimensions[0];
        long rowBytes = dimensions[0] / blockSize * GgmlTypeInfo.BlockBytes(type);
        if (rows > long.MaxValue / rowBytes)
            throw cursor.Error(field + " type", at, $"data size of {elements} {GgmlTypeInfo.Name(type)} elements overflows 64 bits");

        offsetAt = cursor.Position;
        ulong offset = cursor.ReadUInt64(field + " offset");
        if (offset % Alignment != 0)
            throw cursor.Error(field + " offset", offsetAt, $"data offset {offset} is not a multiple of the alignment {Alignment}");
        if (offset > long.MaxValue)
            throw cursor.Error(field + " offset", offsetAt, $"data offset {offset} lies outside the file ({cursor.Length} bytes)");

        var tensor = new GgufTensorInfo(name, dimensions, type, (long)offset, rows * rowBytes);
        tensorsByName.Add(name, tensor);
        return tensor;
    }

    private void CheckTensorData(GgufCursor cursor, List<GgufTensorInfo> tensors, List<long> offsetFieldPositions)
    {
        long available = fileLength - DataOffset; // may be negative when the file ends inside the padding
        for (int i = 0; i < tensors.Count; i++)
        {
            var t = tensors[i];
            if (t.Offset > available || t.ByteLength > available - t.Offset)
                throw cursor.Error($"tensor '{t.Name}' offset", offsetFieldPositions[i],
                    $"data [{DataOffset} + {t.Offset}, +{t.ByteLength} bytes) ends at byte {DataOffset + (decimal)t.Offset + t.ByteLength}, past the end of the file ({fileLength} bytes; truncated?)");
        }

        // Two tensors sharing bytes would be a corrupt table; llama.cpp packs them in order, we only require no overlap.
        var order = Enumerable.Range(0, tensors.Count).OrderBy(i => tensors[i].Offset).ToArray();
        for (int k = 1; k < order.Length; k++)
        {
            var previous = tensors[order[k - 1]];
            var current = tensors[order[k]];
            if (current.Offset < previous.Offset + previous.ByteLength)
                throw cursor.Error($"tensor '{current.Name}' offset", offsetFieldPositions[order[k]],
                    $"data at {current.Offset} overlaps tensor '{previous.Name}' [{previous.Offset}, {previous.Offset + previous.ByteLength})");
        }
    }
}
