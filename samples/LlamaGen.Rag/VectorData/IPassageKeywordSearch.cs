using System.Linq.Expressions;
using Microsoft.Extensions.VectorData;

namespace LlamaGen.Rag.VectorData;

/// <summary>
/// Full-text (BM25) ranking of passages, which the VectorData abstraction has only inside hybrid search. Hybrid retrieval
/// fuses this ranking with the vector ranking itself; a store without it falls back to its own
/// <c>IKeywordHybridSearchable</c>, or to vectors alone.
/// </summary>
public interface IPassageKeywordSearch
{
    /// <summary>Passages matching any of <paramref name="keywords"/>, best BM25 first (score: higher is better).</summary>
    IAsyncEnumerable<VectorSearchResult<PassageRecord>> KeywordSearchAsync(IReadOnlyCollection<string> keywords, int top,
        Expression<Func<PassageRecord, bool>>? filter = null, CancellationToken cancellationToken = default);
}
