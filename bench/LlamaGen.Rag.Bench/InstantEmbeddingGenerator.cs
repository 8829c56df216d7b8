using Microsoft.Extensions.AI;

namespace LlamaGen.Rag.Bench;

/// <summary>
/// BENCHMARK STAND-IN, not a model: returns synthetic vectors at once, so the ingest figures measure reading, cutting
/// and storing alone. The real embedder's time adds to them (it is not wired yet).
/// </summary>
public sealed class InstantEmbeddingGenerator(SyntheticCorpus corpus) : IEmbeddingGenerator<string, Embedding<float>>
{
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(values.Select(_ => new Embedding<float>(corpus.Vector()))));

    public object? GetService(Type serviceType, object? serviceKey = null) => serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose() { }
}
