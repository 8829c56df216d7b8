using System.Security.Cryptography;

namespace LlamaGen.Rag.Composition;

/// <summary>
/// A model's identity for the store: file name, size and a SHA-256 of its first and last MiB. Hashing a 4 GB model
/// on every <c>ask</c> would cost seconds; the ends hold the GGUF header, metadata, tensor table and last weights,
/// so two different models (or quantizations) practically never share them.
/// </summary>
public static class ModelFingerprint
{
    private const int Window = 1 << 20;

    public static string Of(string modelPath)
    {
        using var stream = File.OpenRead(modelPath);
        long length = stream.Length;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[Math.Min(Window, length)];
        stream.ReadExactly(buffer);
        hash.AppendData(buffer);
        if (length > Window)
        {
            stream.Seek(Math.Max(Window, length - Window), SeekOrigin.Begin);
            int tail = stream.ReadAtLeast(buffer, 1, throwOnEndOfStream: false);
            hash.AppendData(buffer, 0, tail);
        }
        return $"{Path.GetFileName(modelPath)}:{length}:{Convert.ToHexStringLower(hash.GetHashAndReset())[..16]}";
    }
}
