using System.Text;
using Microsoft.Extensions.AI;

namespace LlamaGen.Rag.TestDoubles;

/// <summary>
/// TEST DOUBLE, not a model: embeds a text as the signed hashed counts of its lower-cased words (crudely stemmed), so
/// texts sharing words are close. Deterministic, instant, and weak in the way a tiny random-weight model is not
/// (it is lexical): it lets the pipeline be tested before the LlamaGen adapter exists.
/// </summary>
public sealed class HashedBagOfWordsEmbeddingGenerator(int dimensions = 256, TimeSpan delayPerBatch = default) : IEmbeddingGenerator<string, Embedding<float>>
{
    public int Dimensions => dimensions;

    /// <summary>Calls so far, and texts in each: batching is visible to tests.</summary>
    public List<int> BatchSizes { get; } = [];

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var texts = values.ToList();
        lock (BatchSizes) BatchSizes.Add(texts.Count);
        if (delayPerBatch > TimeSpan.Zero) await Task.Delay(delayPerBatch, cancellationToken);
        return new GeneratedEmbeddings<Embedding<float>>(texts.Select(text => new Embedding<float>(Embed(text))));
    }

    public float[] Embed(string text)
    {
        var vector = new float[dimensions];
        foreach (string word in Words(text))
        {
            ulong hash = Fnv1a(word);
            vector[(int)(hash % (ulong)dimensions)] += (hash >> 63) == 0 ? 1 : -1;
        }
        return vector;
    }

    // FNV-1a, 64-bit: stable across runs and platforms (string.GetHashCode is randomized per process).
    private static ulong Fnv1a(string word)
    {
        ulong hash = 14695981039346656037;
        foreach (byte b in Encoding.UTF8.GetBytes(word))
            hash = (hash ^ b) * 1099511628211;
        return hash;
    }

    private static IEnumerable<string> Words(string text)
    {
        var word = new StringBuilder();
        foreach (char c in text + " ")
        {
            if (char.IsLetterOrDigit(c)) { word.Append(char.ToLowerInvariant(c)); continue; }
            if (word.Length > 2) yield return Stem(word.ToString());
            word.Clear();
        }
    }

    private static string Stem(string word)
    {
        foreach (string suffix in (string[])["ing", "ed", "es", "s"])
            if (word.Length > suffix.Length + 3 && word.EndsWith(suffix, StringComparison.Ordinal))
                return word[..^suffix.Length];
        return word;
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceType == typeof(EmbeddingGeneratorMetadata) ? new EmbeddingGeneratorMetadata("test-double", null, "hashed-bag-of-words", dimensions)
        : serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose() { }
}
