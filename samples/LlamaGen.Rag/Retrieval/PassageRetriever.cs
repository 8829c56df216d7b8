using LlamaGen.Rag.VectorData;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData;

namespace LlamaGen.Rag.Retrieval;

/// <summary>
/// Finds the passages for a question through the VectorData abstraction: vectors with <c>SearchAsync</c>, hybrid with
/// the collection's <see cref="IKeywordHybridSearchable{TRecord}"/> (the SQLite store fuses BM25 and vectors as its
/// <see cref="HybridFusionOptions"/> say; Qdrant, Azure AI Search, Weaviate... fuse on the server), keywords with <see cref="IPassageKeywordSearch"/>.
/// </summary>
public sealed class PassageRetriever(VectorStoreCollection<Guid, PassageRecord> passages, IEmbeddingGenerator<string, Embedding<float>>? embeddings)
{
    /// <summary>Raised once per question when the store cannot do what <see cref="RetrievalMode"/> asks and a weaker mode is used.</summary>
    public event Action<string>? Fallback;

    public async Task<IReadOnlyList<RetrievedPassage>> RetrieveAsync(string question, int topK, RetrievalMode mode, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(topK, 1);
        if (string.IsNullOrWhiteSpace(question)) throw new ArgumentException("the question is empty", nameof(question));
        var keywords = KeywordExtractor.Keywords(question);
        switch (mode)
        {
            case RetrievalMode.Keyword:
                var keywordSearch = passages.GetService(typeof(IPassageKeywordSearch)) as IPassageKeywordSearch
                    ?? throw new NotSupportedException($"the '{passages.Name}' collection has no keyword (BM25) search: use --mode vector or hybrid");
                return await Collect(keywordSearch.KeywordSearchAsync(keywords, topK, cancellationToken: cancellationToken), cancellationToken);
            case RetrievalMode.Hybrid when passages.GetService(typeof(IKeywordHybridSearchable<PassageRecord>)) is IKeywordHybridSearchable<PassageRecord> hybrid:
                var vector = await EmbedAsync(question, cancellationToken);
                return await Collect(hybrid.HybridSearchAsync(vector, keywords.ToList(), topK, cancellationToken: cancellationToken), cancellationToken);
            case RetrievalMode.Hybrid:
                Fallback?.Invoke($"the '{passages.Name}' collection has no hybrid search: ranking by vectors only");
                goto case RetrievalMode.Vector;
            case RetrievalMode.Vector:
                var query = await EmbedAsync(question, cancellationToken);
                return await Collect(passages.SearchAsync(query, topK, cancellationToken: cancellationToken), cancellationToken);
            default:
                throw new ArgumentOutOfRangeException(nameof(mode), mode, "unknown retrieval mode");
        }
    }

    private async Task<ReadOnlyMemory<float>> EmbedAsync(string question, CancellationToken cancellationToken)
    {
        if (embeddings is null) throw new InvalidOperationException("vector and hybrid retrieval need an embedding generator");
        return await embeddings.GenerateVectorAsync(question, cancellationToken: cancellationToken);
    }

    private static async Task<IReadOnlyList<RetrievedPassage>> Collect(IAsyncEnumerable<VectorSearchResult<PassageRecord>> results, CancellationToken cancellationToken)
    {
        var passages = new List<RetrievedPassage>();
        await foreach (var result in results.WithCancellation(cancellationToken))
            passages.Add(new RetrievedPassage(result.Record, result.Score ?? 0));
        return passages;
    }
}
