using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.AI;

namespace LlamaGen.Rag.TestDoubles;

/// <summary>
/// TEST DOUBLE, not a model: a vector drawn from a seed that is the hash of the text, so equal texts get equal vectors
/// and different texts unrelated ones. Stands for an embedder that carries no meaning (a random-weight model), to see
/// what hybrid retrieval does when only BM25 knows anything.
/// </summary>
public sealed class RandomEmbeddingGenerator(int dimensions = 8) : IEmbeddingGenerator<string, Embedding<float>>
{
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(values.Select(text => new Embedding<float>(Embed(text)))));

    private float[] Embed(string text)
    {
        var random = new Random(BitConverter.ToInt32(SHA256.HashData(Encoding.UTF8.GetBytes(text))));
        return Enumerable.Range(0, dimensions).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose() { }
}
