using System.Buffers.Binary;
using System.Text;
using LlamaGen.Gguf;
using LlamaGen.Quantization;

namespace LlamaGen.Runtime.Tests.Gguf;

/// <summary>
/// Malformed files must fail with <see cref="GgufFormatException"/> naming the field and its byte offset, and never
/// with another exception. Offsets are located in the bytes the writer produced (by searching for key and tensor
/// names), following the GGUF layout: string = uint64 length + bytes; kv = key, uint32 type, value; tensor info =
/// name, uint32 n_dims, n_dims x uint64 ne, uint32 type, uint64 offset.
/// </summary>
public class GgufCorruptionTests
{
    /// <summary>A small valid file: three metadata entries and two tensors, the last ending on the alignment.</summary>
    private static byte[] ValidFile()
    {
        using var file = GgufTestFile.Write(w =>
        {
            w.AddMetadata("general.architecture", "llama");
            w.AddMetadata("test.u32", 7u);
            w.AddMetadata("test.array", GgufValue.Of(new[] { 1f, 2f, 3f }));
            w.AddMetadata("test.tokens", GgufValue.Of(new[] { "a", "bc" }));
            w.AddTensor("tensor.alpha", [32, 2], GgmlType.Q8_0);
            w.AddTensor("tensor.beta", [8], GgmlType.F32); // 32 bytes: the file ends exactly at its end
            w.WriteTensorData(Enumerable.Range(0, 68).Select(i => (byte)i).ToArray());
            w.WriteTensorData(new byte[32]);
        });
        return file.ReadAllBytes();
    }

    private static GgufFormatException OpenFails(byte[] bytes)
    {
        using var file = GgufTestFile.FromBytes(bytes);
        var e = Assert.Throws<GgufFormatException>(() => GgufFile.Open(file.Path).Dispose());
        Assert.Equal(file.Path, e.FilePath);
        Assert.StartsWith(file.Path + ": " + e.Field + " at byte offset " + e.ByteOffset + ": ", e.Message);
        return e;
    }

    private static byte[] Patch(byte[] bytes, int at, ulong value, int width)
    {
        var copy = (byte[])bytes.Clone();
        if (width == 4) BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(at), (uint)value);
        else BinaryPrimitives.WriteUInt64LittleEndian(copy.AsSpan(at), value);
        return copy;
    }

    /// <summary>Offset of the uint32 n_dims of a tensor info.</summary>
    private static int DimensionCountAt(byte[] bytes, string tensor) => GgufTestFile.Find(bytes, tensor) + tensor.Length;

    [Fact]
    public void TheValidFileOpens()
    {
        using var file = GgufTestFile.FromBytes(ValidFile());
        using var gguf = GgufFile.Open(file.Path);
        Assert.Equal(2, gguf.Tensors.Count);
        Assert.Equal(file.ReadAllBytes().Length, gguf.DataOffset + gguf.Tensors[1].Offset + gguf.Tensors[1].ByteLength);
    }

    [Fact]
    public void EveryTruncationFailsWithAFormatError()
    {
        var bytes = ValidFile();
        using var file = GgufTestFile.FromBytes([]);
        for (int length = 0; length < bytes.Length; length++)
        {
            File.WriteAllBytes(file.Path, bytes.AsSpan(0, length).ToArray());
            var e = Assert.Throws<GgufFormatException>(() => GgufFile.Open(file.Path).Dispose());
            Assert.InRange(e.ByteOffset, 0, Math.Max(length, 0) + 0L);
        }
    }

    [Fact]
    public void RandomByteCorruptionNeverEscapesAsAnotherException()
    {
        var bytes = ValidFile();
        var random = new Random(20240601);
        using var file = GgufTestFile.FromBytes([]);
        int failures = 0;
        for (int trial = 0; trial < 1500; trial++)
        {
            var copy = (byte[])bytes.Clone();
            for (int k = random.Next(1, 4); k > 0; k--) copy[random.Next(copy.Length)] = (byte)random.Next(256);
            File.WriteAllBytes(file.Path, copy);
            try
            {
                using var gguf = GgufFile.Open(file.Path);
                foreach (var t in gguf.Tensors) _ = gguf.GetTensorBytes(t).ToArray(); // every accepted tensor is readable
            }
            catch (GgufFormatException)
            {
                failures++;
            }
        }
        Assert.InRange(failures, 1, 1500); // corruption in the header region is caught at least sometimes
    }

    [Fact]
    public void EmptyFile()
    {
        var e = OpenFails([]);
        Assert.Equal("magic", e.Field);
        Assert.Equal(0, e.ByteOffset);
        Assert.Contains("not a GGUF file: the file is empty", e.Message);
    }

    [Fact]
    public void WrongMagic()
    {
        var e = OpenFails(Encoding.ASCII.GetBytes("PK\u0003\u0004 this is a zip file"));
        Assert.Equal("magic", e.Field);
        Assert.Contains("not a GGUF file: magic is 50 4b 03 04", e.Message);
        Assert.Contains("\"GGML\"", OpenFails(Encoding.ASCII.GetBytes("GGMLxxxxxxxxxxxxxxxxxxxxxxxx")).Message);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(1u)]
    [InlineData(4u)]
    [InlineData(0x03000000u)] // a big-endian v3 file read little-endian
    public void UnsupportedVersion(uint version)
    {
        var e = OpenFails(Patch(ValidFile(), 4, version, 4));
        Assert.Equal("version", e.Field);
        Assert.Equal(4, e.ByteOffset);
        Assert.Contains($"unsupported GGUF version {version}", e.Message);
    }

    [Fact]
    public void HugeTensorCount()
    {
        var e = OpenFails(Patch(ValidFile(), 8, ulong.MaxValue, 8));
        Assert.Equal("tensor count", e.Field);
        Assert.Equal(8, e.ByteOffset);
    }

    [Fact]
    public void HugeMetadataCount()
    {
        var e = OpenFails(Patch(ValidFile(), 16, 1UL << 40, 8));
        Assert.Equal("metadata count", e.Field);
        Assert.Equal(16, e.ByteOffset);
    }

    [Fact]
    public void TensorCountLargerThanTheTable()
    {
        // One more tensor than written: the parser runs into the data section and must stop with a format error.
        var e = OpenFails(Patch(ValidFile(), 8, 3, 8));
        Assert.StartsWith("tensor", e.Field);
    }

    [Fact]
    public void HugeKeyLength()
    {
        var e = OpenFails(Patch(ValidFile(), 24, ulong.MaxValue - 3, 8));
        Assert.Equal("metadata key #0 length", e.Field);
        Assert.Equal(24, e.ByteOffset);
    }

    [Fact]
    public void UnknownValueType()
    {
        var bytes = ValidFile();
        int typeAt = GgufTestFile.Find(bytes, "test.u32") + "test.u32".Length;
        var e = OpenFails(Patch(bytes, typeAt, 13, 4));
        Assert.Equal("metadata key #1 'test.u32' type", e.Field);
        Assert.Equal(typeAt, e.ByteOffset);
        Assert.Contains("unknown metadata value type 13", e.Message);
    }

    [Fact]
    public void HugeStringValueLength()
    {
        var bytes = ValidFile();
        int valueAt = GgufTestFile.Find(bytes, "general.architecture") + "general.architecture".Length + 4;
        var e = OpenFails(Patch(bytes, valueAt, 1UL << 62, 8));
        Assert.Equal("metadata key #0 'general.architecture' value length", e.Field);
        Assert.Equal(valueAt, e.ByteOffset);
    }

    [Fact]
    public void HugeArrayLength()
    {
        var bytes = ValidFile();
        int countAt = GgufTestFile.Find(bytes, "test.array") + "test.array".Length + 4 + 4;
        var e = OpenFails(Patch(bytes, countAt, 1UL << 61, 8));
        Assert.Equal("metadata key #2 'test.array' value array length", e.Field);
        Assert.Equal(countAt, e.ByteOffset);
    }

    [Fact]
    public void ArrayLongerThanTheReaderAcceptsEvenWhenTheBytesExist()
    {
        using var file = GgufTestFile.Write(w => w.AddMetadata("big", GgufValue.Of(new byte[GgufFile.MaxArrayLength + 1])));
        var bytes = file.ReadAllBytes();
        int countAt = GgufTestFile.Find(bytes, "big") + 3 + 4 + 4;
        var e = OpenFails(bytes);
        Assert.Equal("metadata key #0 'big' value array length", e.Field);
        Assert.Equal(countAt, e.ByteOffset);
    }

    [Fact]
    public void UnknownArrayElementType()
    {
        var bytes = ValidFile();
        int elementTypeAt = GgufTestFile.Find(bytes, "test.array") + "test.array".Length + 4;
        var e = OpenFails(Patch(bytes, elementTypeAt, 99, 4));
        Assert.Equal("metadata key #2 'test.array' value array element type", e.Field);
        Assert.Equal(elementTypeAt, e.ByteOffset);
    }

    [Fact]
    public void StringArrayElementLengthRunsPastTheEnd()
    {
        var bytes = ValidFile();
        // tokens: key, type, element type, count, then "a" (length at +0) and "bc".
        int firstLengthAt = GgufTestFile.Find(bytes, "test.tokens") + "test.tokens".Length + 4 + 4 + 8;
        var e = OpenFails(Patch(bytes, firstLengthAt, (ulong)bytes.Length, 8));
        Assert.Equal("metadata key #3 'test.tokens' value[0] length", e.Field);
        Assert.Equal(firstLengthAt, e.ByteOffset);
    }

    [Fact]
    public void InvalidUtf8InAKey()
    {
        var bytes = ValidFile();
        int keyAt = GgufTestFile.Find(bytes, "test.u32");
        bytes[keyAt + 2] = 0xC3; // a lead byte followed by an ASCII byte
        var e = OpenFails(bytes);
        Assert.Equal("metadata key #1", e.Field);
        Assert.Equal(keyAt + 2, e.ByteOffset);
        Assert.Contains("not valid UTF-8", e.Message);
    }

    [Fact]
    public void DuplicateKey()
    {
        var bytes = DuplicateKeyFile(out int duplicateLengthAt);
        var e = OpenFails(bytes);
        Assert.Equal("metadata key #1 'dup.key'", e.Field);
        Assert.Equal(duplicateLengthAt, e.ByteOffset);
        Assert.Contains("duplicate key", e.Message);
    }

    private static byte[] DuplicateKeyFile(out int secondKeyLengthAt)
    {
        using var file = GgufTestFile.Write(w => w.AddMetadata("dup.key", 1u).AddMetadata("dup.kez", 2u));
        var bytes = file.ReadAllBytes();
        int secondAt = GgufTestFile.Find(bytes, "dup.kez");
        bytes[secondAt + 6] = (byte)'y'; // "dup.kez" -> "dup.key", same length
        secondKeyLengthAt = secondAt - 8;
        return bytes;
    }

    [Fact]
    public void BoolOtherThanZeroOrOne()
    {
        using var file = GgufTestFile.Write(w => w.AddMetadata("flag", true));
        var bytes = file.ReadAllBytes();
        int valueAt = GgufTestFile.Find(bytes, "flag") + 4 + 4;
        bytes[valueAt] = 2;
        var e = OpenFails(bytes);
        Assert.Equal("metadata key #0 'flag' value", e.Field);
        Assert.Equal(valueAt, e.ByteOffset);
    }

    [Fact]
    public void DeeplyNestedArraysAreRejectedWithoutExhaustingTheStack()
    {
        // Hand-built: one key whose value is an array of one array of one array ... 100000 deep.
        using var stream = new MemoryStream();
        using (var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            w.Write("GGUF"u8);
            w.Write(3u);
            w.Write(0UL);
            w.Write(1UL);
            w.Write(4UL);
            w.Write("deep"u8);
            w.Write((uint)GgufValueType.Array);
            for (int i = 0; i < 100_000; i++)
            {
                w.Write((uint)GgufValueType.Array);
                w.Write(1UL);
            }
        }
        var e = OpenFails(stream.ToArray());
        Assert.StartsWith("metadata key #0 'deep' value", e.Field);
        Assert.Contains("nested", e.Message);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(5u)]
    public void BadDimensionCount(uint dimensions)
    {
        var bytes = ValidFile();
        int at = DimensionCountAt(bytes, "tensor.alpha");
        var e = OpenFails(Patch(bytes, at, dimensions, 4));
        Assert.Equal("tensor 'tensor.alpha' dimension count", e.Field);
        Assert.Equal(at, e.ByteOffset);
    }

    [Fact]
    public void ZeroDimension()
    {
        var bytes = ValidFile();
        int ne1At = DimensionCountAt(bytes, "tensor.alpha") + 4 + 8;
        var e = OpenFails(Patch(bytes, ne1At, 0, 8));
        Assert.Equal("tensor 'tensor.alpha' ne[1]", e.Field);
        Assert.Equal(ne1At, e.ByteOffset);
    }

    [Fact]
    public void ElementCountOverflow()
    {
        var bytes = ValidFile();
        int ne0At = DimensionCountAt(bytes, "tensor.alpha") + 4;
        bytes = Patch(bytes, ne0At, 1UL << 40, 8);
        bytes = Patch(bytes, ne0At + 8, 1UL << 40, 8);
        var e = OpenFails(bytes);
        Assert.Equal("tensor 'tensor.alpha' ne[1]", e.Field);
        Assert.Equal(ne0At + 8, e.ByteOffset);
        Assert.Contains("overflows", e.Message);
    }

    [Fact]
    public void HugeDimensionsAreCaughtBeforeTheDataSizeOverflows()
    {
        // 2^62 Q8_0 elements fit in a long, but their data does not fit in the file.
        var bytes = ValidFile();
        int ne0At = DimensionCountAt(bytes, "tensor.alpha") + 4;
        var e = OpenFails(Patch(bytes, ne0At, 1UL << 62, 8));
        Assert.StartsWith("tensor 'tensor.alpha'", e.Field);
    }

    [Theory]
    [InlineData(16u, "iq2_xxs")]
    [InlineData(4u, "removed")]
    [InlineData(1000u, "1000")]
    public void UnsupportedTensorType(uint type, string mentioned)
    {
        var bytes = ValidFile();
        int typeAt = DimensionCountAt(bytes, "tensor.alpha") + 4 + 2 * 8;
        var e = OpenFails(Patch(bytes, typeAt, type, 4));
        Assert.Equal("tensor 'tensor.alpha' type", e.Field);
        Assert.Equal(typeAt, e.ByteOffset);
        Assert.Contains(mentioned, e.Message);
    }

    [Fact]
    public void RowNotAWholeNumberOfBlocks()
    {
        var bytes = ValidFile();
        int ne0At = DimensionCountAt(bytes, "tensor.alpha") + 4;
        var e = OpenFails(Patch(bytes, ne0At, 31, 8));
        Assert.Equal("tensor 'tensor.alpha' ne[0]", e.Field);
        Assert.Equal(ne0At, e.ByteOffset);
        Assert.Contains("q8_0 blocks of 32", e.Message);
    }

    [Fact]
    public void UnalignedTensorOffset()
    {
        var bytes = ValidFile();
        int offsetAt = DimensionCountAt(bytes, "tensor.beta") + 4 + 8 + 4;
        var e = OpenFails(Patch(bytes, offsetAt, 100, 8));
        Assert.Equal("tensor 'tensor.beta' offset", e.Field);
        Assert.Equal(offsetAt, e.ByteOffset);
        Assert.Contains("alignment 32", e.Message);
    }

    [Fact]
    public void TensorDataPastTheEnd()
    {
        var bytes = ValidFile();
        int offsetAt = DimensionCountAt(bytes, "tensor.beta") + 4 + 8 + 4;
        var e = OpenFails(Patch(bytes, offsetAt, 1UL << 50, 8));
        Assert.Equal("tensor 'tensor.beta' offset", e.Field);
        Assert.Equal(offsetAt, e.ByteOffset);
        Assert.Contains("past the end of the file", e.Message);
        Assert.Equal("tensor 'tensor.beta' offset", OpenFails(Patch(bytes, offsetAt, ulong.MaxValue - 31, 8)).Field);
    }

    [Fact]
    public void OverlappingTensors()
    {
        var bytes = ValidFile();
        int offsetAt = DimensionCountAt(bytes, "tensor.beta") + 4 + 8 + 4;
        var e = OpenFails(Patch(bytes, offsetAt, 32, 8)); // inside tensor.alpha's 68 bytes
        Assert.Equal("tensor 'tensor.beta' offset", e.Field);
        Assert.Contains("overlaps tensor 'tensor.alpha'", e.Message);
    }

    [Fact]
    public void DuplicateTensorName()
    {
        // Two names of the same length, so the second can be renamed in place.
        using var file = GgufTestFile.Write(w =>
        {
            w.AddTensor("tensor.one", [8], GgmlType.F32);
            w.AddTensor("tensor.two", [8], GgmlType.F32);
            w.WriteTensorData(new byte[32]);
            w.WriteTensorData(new byte[32]);
        });
        var bytes = file.ReadAllBytes();
        int twoAt = GgufTestFile.Find(bytes, "tensor.two");
        Encoding.ASCII.GetBytes("tensor.one").CopyTo(bytes, twoAt);
        var e = OpenFails(bytes);
        Assert.Equal("tensor 'tensor.one' name", e.Field);
        Assert.Equal(twoAt - 8, e.ByteOffset);
    }

    [Fact]
    public void AlignmentThatIsNotAPowerOfTwo()
    {
        using var file = GgufTestFile.Write(_ => { }, alignment: 64);
        var bytes = file.ReadAllBytes();
        int valueAt = GgufTestFile.Find(bytes, "general.alignment") + "general.alignment".Length + 4;
        var e = OpenFails(Patch(bytes, valueAt, 48, 4));
        Assert.Equal("metadata key #0 'general.alignment' value", e.Field);
        Assert.Equal(valueAt, e.ByteOffset);
        Assert.Contains("not a power of two", e.Message);
        Assert.Contains("not a power of two", OpenFails(Patch(bytes, valueAt, 0, 4)).Message);
    }

    [Fact]
    public void AlignmentOfTheWrongType()
    {
        using var file = GgufTestFile.Write(_ => { }, alignment: 64);
        var bytes = file.ReadAllBytes();
        int typeAt = GgufTestFile.Find(bytes, "general.alignment") + "general.alignment".Length;
        var e = OpenFails(Patch(bytes, typeAt, (uint)GgufValueType.Int32, 4));
        Assert.Equal("metadata key #0 'general.alignment' value", e.Field);
        Assert.Contains("has type int32, expected uint32", e.Message);
    }
}
