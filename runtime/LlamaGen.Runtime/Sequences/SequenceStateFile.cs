using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using LlamaGen.Compute;
using LlamaGen.Models;

namespace LlamaGen.Sequences;

/// <summary>
/// The file a <see cref="Sequence"/> saves its state to (a prompt cache): what the sequence holds, for the model it was
/// computed with. Little-endian: the magic <c>LLGSEQ</c> and a format version; the model's shape (name, dimensions,
/// vocabulary, context); the cache's type, KV dimension and capacity; the token count and the tokens; every layer's key
/// rows then value rows for those positions; and an XxHash3 of everything before it. A file that is truncated, altered,
/// foreign, or made for another shape is refused with the field and byte offset; a save writes <c>PATH.tmp</c> and renames
/// it, so an interrupted save leaves the previous file as it was.
/// </summary>
public static class SequenceStateFile
{
    private static ReadOnlySpan<byte> Magic => "LLGSEQ\0\0"u8;
    private const uint Version = 1;

    internal static void Write(Sequence sequence, string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ModelShape shape = sequence.Model.Shape;
        KvCache cache = sequence.Cache;
        string temporary = path + ".tmp";
        var hash = new XxHash3();
        try
        {
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
            {
                void Put(ReadOnlySpan<byte> bytes)
                {
                    stream.Write(bytes);
                    hash.Append(bytes);
                }
                byte[] word = new byte[4];
                void PutInt(int value)
                {
                    BinaryPrimitives.WriteInt32LittleEndian(word, value);
                    Put(word);
                }
                Put(Magic);
                PutInt((int)Version);
                byte[] name = Encoding.UTF8.GetBytes(shape.Name);
                PutInt(name.Length);
                Put(name);
                foreach (int value in ShapeFields(shape)) PutInt(value);
                PutInt((int)cache.Type);
                PutInt(cache.KvDimension);
                PutInt(cache.ContextLength);
                PutInt(sequence.Length);
                foreach (int token in sequence.Tokens) PutInt(token);
                for (int layer = 0; layer < cache.BlockCount; layer++)
                {
                    Put(cache.Rows(layer, 0, sequence.Length, values: false));
                    Put(cache.Rows(layer, 0, sequence.Length, values: true));
                }
                stream.Write(BitConverter.GetBytes(hash.GetCurrentHashAsUInt64()));
            }
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            try { File.Delete(temporary); } catch (IOException) { }
            throw;
        }
    }

    internal static Sequence Read(ILlamaModel model, string path, SequenceOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(path);
        ModelShape shape = model.Shape;
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        var hash = new XxHash3();
        long offset = 0;
        void Get(Span<byte> destination, string field)
        {
            int read = stream.ReadAtLeast(destination, destination.Length, throwOnEndOfStream: false);
            if (read < destination.Length) throw Error(path, offset + read, field, "the file ends here (truncated?)");
            hash.Append(destination);
            offset += destination.Length;
        }
        byte[] word = new byte[4];
        int GetInt(string field)
        {
            Get(word, field);
            return BinaryPrimitives.ReadInt32LittleEndian(word);
        }
        void Expect(string field, int actual, int expected)
        {
            if (actual != expected) throw Error(path, offset - 4, field, $"the file says {actual}, the model {expected}: the state was saved with another model");
        }

        Span<byte> magic = stackalloc byte[Magic.Length];
        Get(magic, "magic");
        if (!magic.SequenceEqual(Magic)) throw Error(path, 0, "magic", "not a LlamaGen sequence state file");
        int version = GetInt("version");
        if (version != Version) throw Error(path, offset - 4, "version", $"format version {version}; this LlamaGen reads version {Version}");
        int nameLength = GetInt("model name length");
        if (nameLength is < 0 or > 4096) throw Error(path, offset - 4, "model name length", $"{nameLength} is not a name length");
        byte[] name = new byte[nameLength];
        Get(name, "model name");
        string savedName = Encoding.UTF8.GetString(name);
        if (savedName != shape.Name) throw Error(path, offset - nameLength, "model name", $"saved for \"{savedName}\", the model is \"{shape.Name}\"");
        string[] fieldNames = ["embedding_length", "block_count", "attention.head_count", "attention.head_count_kv", "feed_forward_length", "vocab_size", "context_length"];
        int[] expected = ShapeFields(shape);
        for (int i = 0; i < expected.Length; i++) Expect(fieldNames[i], GetInt(fieldNames[i]), expected[i]);
        var type = (KvCacheType)GetInt("KV cache type");
        if (type is not (KvCacheType.F32 or KvCacheType.F16)) throw Error(path, offset - 4, "KV cache type", $"{(int)type} is not a KV cache type");
        Expect("KV dimension", GetInt("KV dimension"), shape.HeadDimension * shape.HeadCountKv);
        int capacity = GetInt("capacity");
        if (capacity <= 0 || capacity > shape.ContextLength) throw Error(path, offset - 4, "capacity", $"{capacity} positions, the model holds 1..{shape.ContextLength}");
        int length = GetInt("token count");
        if (length < 0 || length > capacity) throw Error(path, offset - 4, "token count", $"{length} tokens in a sequence of {capacity}");
        int wanted = options.ContextLength ?? capacity;
        if (wanted < length) throw Error(path, offset - 4, "token count", $"{length} tokens do not fit the {wanted} positions asked for");

        Sequence sequence = model.CreateSequence(options with { ContextLength = wanted, KvCacheType = type });
        try
        {
            var held = new int[length];
            for (int i = 0; i < length; i++)
            {
                held[i] = GetInt("tokens");
                if ((uint)held[i] >= (uint)shape.VocabSize) throw Error(path, offset - 4, "tokens", $"token {held[i]} is outside the vocabulary of {shape.VocabSize}");
            }
            for (int layer = 0; layer < sequence.Cache.BlockCount; layer++)
            {
                Get(sequence.Cache.Rows(layer, 0, length, values: false), $"layer {layer} keys");
                Get(sequence.Cache.Rows(layer, 0, length, values: true), $"layer {layer} values");
            }
            ulong computed = hash.GetCurrentHashAsUInt64();
            Span<byte> stored = stackalloc byte[8];
            if (stream.ReadAtLeast(stored, 8, throwOnEndOfStream: false) < 8) throw Error(path, offset, "checksum", "the file ends before its checksum (truncated?)");
            if (BitConverter.ToUInt64(stored) != computed) throw Error(path, offset, "checksum", "the contents do not match their checksum (the file is corrupt)");
            if (stream.ReadByte() != -1) throw Error(path, offset + 8, "end", "bytes after the checksum");
            sequence.Restore(held);
            return sequence;
        }
        catch
        {
            sequence.Dispose();
            throw;
        }
    }

    private static int[] ShapeFields(ModelShape shape) =>
        [shape.EmbeddingLength, shape.BlockCount, shape.HeadCount, shape.HeadCountKv, shape.FeedForwardLength, shape.VocabSize, shape.ContextLength];

    private static InvalidDataException Error(string path, long offset, string field, string problem) =>
        new($"{path}: byte {offset} ({field}): {problem}.");
}
