using System.Security.Cryptography;

namespace LlamaGen.Rag.Tests.Support;

/// <summary>What "changes nothing" is checked against: the bytes of a file (or its absence).</summary>
public static class FileFingerprint
{
    public static string Of(string path) => File.Exists(path) ? Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path))) : "absent";
}
