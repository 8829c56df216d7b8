using System.Runtime.InteropServices;

namespace LlamaGen.Rag.VectorData;

/// <summary>Vectors as SQLite BLOBs: float32, little-endian, no header (the store's metadata holds the dimensions).</summary>
internal static class VectorBlob
{
    public static byte[] ToBytes(ReadOnlySpan<float> vector)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("vector BLOBs are little-endian float32");
        return MemoryMarshal.AsBytes(vector).ToArray();
    }

    public static float[] ToFloats(byte[] blob)
    {
        if (blob.Length % sizeof(float) != 0)
            throw new InvalidDataException($"vector BLOB of {blob.Length} bytes is not a whole number of float32 values");
        return MemoryMarshal.Cast<byte, float>(blob).ToArray();
    }
}
