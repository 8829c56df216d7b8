using System.Security.Cryptography;
using System.Text;

namespace LlamaGen.Rag.VectorData;

/// <summary>
/// Passage keys derived from (file, content hash, position): an interrupted ingest that runs again writes the same keys
/// (idempotent upserts on any connector), and the keys of a file's previous version are known from the ledger alone,
/// so they can be deleted on a store that cannot be queried by file.
/// </summary>
public static class PassageKey
{
    public static Guid For(string file, string contentHash, int position)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes($"{file}\n{contentHash}\n{position}"), hash);
        // RFC 9562 version 8 (custom) and variant bits, so the value is a well-formed UUID wherever it is stored.
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash[..16], bigEndian: true);
    }

    /// <summary>The keys of every passage of one file version.</summary>
    public static IEnumerable<Guid> ForFile(string file, string contentHash, int passageCount) =>
        Enumerable.Range(0, passageCount).Select(position => For(file, contentHash, position));
}
