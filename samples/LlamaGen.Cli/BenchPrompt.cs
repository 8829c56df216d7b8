using LlamaGen.Gguf;

namespace LlamaGen.Cli;

/// <summary>
/// The benchmark prompt: token ids drawn from a seeded generator, as llama-bench does (its prompt is random ids
/// too), so prompt processing costs the same whatever the vocabulary and needs no tokenizer. This file is also
/// compiled into bench/LlamaGen.LlamaCppBench, so llama.cpp and LlamaGen decode exactly the same ids; the
/// <see cref="Fingerprint"/> in both reports lets the side-by-side runner check that.
/// </summary>
internal static class BenchPrompt
{
    public const ulong DefaultSeed = 1234;

    /// <summary>
    /// <paramref name="count"/> ids in [0, vocabulary size) of <paramref name="file"/>, never its BOS or EOS id
    /// (either would make the batch a different kind of input: a sequence start or end in the middle).
    /// </summary>
    public static int[] Create(GgufFile file, int count, ulong seed)
    {
        if (!file.TryGetTensor("token_embd.weight", out var embedding) || embedding.Dimensions.Length != 2)
            throw new InvalidDataException($"{file.Path}: no 2-D tensor 'token_embd.weight' to take the vocabulary size from");
        int vocabularySize = checked((int)embedding.Dimensions[1]);
        int bos = file.TryGetUInt32("tokenizer.ggml.bos_token_id", out uint b) ? (int)b : -1;
        int eos = file.TryGetUInt32("tokenizer.ggml.eos_token_id", out uint e) ? (int)e : -1;
        return Create(count, vocabularySize, bos, eos, seed);
    }

    public static int[] Create(int count, int vocabularySize, int bos, int eos, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (vocabularySize < 3)
            throw new ArgumentOutOfRangeException(nameof(vocabularySize), vocabularySize, "The vocabulary needs at least one id besides BOS and EOS.");
        var ids = new int[count];
        ulong state = seed;
        for (int i = 0; i < count; i++)
        {
            int id;
            do id = (int)(SplitMix64(ref state) % (ulong)vocabularySize);
            while (id == bos || id == eos);
            ids[i] = id;
        }
        return ids;
    }

    /// <summary>FNV-1a over the ids, as 16 hex digits: equal fingerprints mean both engines saw the same prompt.</summary>
    public static string Fingerprint(ReadOnlySpan<int> ids)
    {
        ulong hash = 14695981039346656037UL;
        foreach (int id in ids)
        {
            for (int shift = 0; shift < 32; shift += 8)
            {
                hash ^= (byte)(id >> shift);
                hash *= 1099511628211UL;
            }
        }
        return hash.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
    }

    // splitmix64 (Steele, Lea, Flood): small, fixed forever, and the same on every platform, unlike System.Random.
    private static ulong SplitMix64(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
