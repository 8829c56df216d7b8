// CONTRACT STUB — to be implemented by the GGUF owner. Keep these public signatures.
using LlamaGen.Quantization;

namespace LlamaGen.Gguf;

/// <summary>A GGUF v2/v3 file, memory-mapped and validated on open.</summary>
public sealed partial class GgufFile : IDisposable
{
    public string Path { get; }
    public uint Version { get; }
    /// <summary>Key/value metadata in file order.</summary>
    public IReadOnlyList<GgufMetadata> Metadata { get; }
    public IReadOnlyList<GgufTensorInfo> Tensors { get; }
    /// <summary>Absolute file offset of the (aligned) tensor data section.</summary>
    public long DataOffset { get; }

    public static GgufFile Open(string path) => throw new NotImplementedException();

    public bool TryGetTensor(string name, out GgufTensorInfo tensor) => throw new NotImplementedException();
    /// <summary>Pointer to the first byte of a tensor's data inside the mapping (bounds checked at open).</summary>
    public nint GetTensorPointer(GgufTensorInfo tensor) => throw new NotImplementedException();
    public ReadOnlySpan<byte> GetTensorBytes(GgufTensorInfo tensor) => throw new NotImplementedException();

    public bool TryGetValue(string key, out GgufValue value) => throw new NotImplementedException();
    // Typed accessors throw GgufFormatException naming the key when it is missing or of another type.
    public string GetString(string key) => throw new NotImplementedException();
    public uint GetUInt32(string key) => throw new NotImplementedException();
    public float GetFloat32(string key) => throw new NotImplementedException();
    public string[] GetStringArray(string key) => throw new NotImplementedException();
    public float[] GetFloat32Array(string key) => throw new NotImplementedException();
    public int[] GetInt32Array(string key) => throw new NotImplementedException();

    public void Dispose() { }
}

public sealed record GgufMetadata(string Key, GgufValue Value);
/// <param name="Dimensions">ne[0] (contiguous) first, as GGUF stores them.</param>
/// <param name="Offset">Relative to <see cref="GgufFile.DataOffset"/>.</param>
public sealed record GgufTensorInfo(string Name, long[] Dimensions, GgmlType Type, long Offset, long ByteLength);
