using System.Runtime.CompilerServices;
using LlamaGen.Rag.Storage;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData;

namespace LlamaGen.Rag.VectorData;

/// <summary>
/// A <c>Microsoft.Extensions.VectorData</c> vector store over one <see cref="RagStore"/> file. It holds one collection,
/// <see cref="PassageRecordDefinition.CollectionName"/>, of <see cref="PassageRecord"/> keyed by <see cref="Guid"/>:
/// what the sample stores. Another connector (Qdrant, PostgreSQL, Azure AI Search...) takes its place by changing the
/// line that creates the store (see <see cref="Composition.PassageStoreFactory"/>).
/// </summary>
public sealed class SqliteRagVectorStore(RagStore store, ApproximateSearchOptions? approximate = null,
    IEmbeddingGenerator<string, Embedding<float>>? embeddingGenerator = null, Retrieval.HybridFusionOptions? fusion = null) : VectorStore
{
    public override VectorStoreCollection<TKey, TRecord> GetCollection<TKey, TRecord>(string name, VectorStoreCollectionDefinition? definition = null)
    {
        if (typeof(TKey) != typeof(Guid) || typeof(TRecord) != typeof(PassageRecord))
            throw new NotSupportedException($"the SQLite RAG store holds PassageRecord keyed by Guid, not {typeof(TRecord).Name} keyed by {typeof(TKey).Name}");
        RequireName(name);
        var vector = definition?.Properties.OfType<VectorStoreVectorProperty>().SingleOrDefault();
        if (vector is not null && vector.Dimensions != store.Model.Dimensions)
            throw new NotSupportedException($"collection definition has {vector.Dimensions}-dimensional vectors; store '{store.Path}' holds {store.Model.Dimensions} ({store.Model})");
        return (VectorStoreCollection<TKey, TRecord>)(object)new SqlitePassageCollection(store, approximate, embeddingGenerator, fusion);
    }

    public override VectorStoreCollection<object, Dictionary<string, object?>> GetDynamicCollection(string name, VectorStoreCollectionDefinition definition) =>
        throw new NotSupportedException("the SQLite RAG store has no dynamic collections: use GetCollection<Guid, PassageRecord>");

    public override async IAsyncEnumerable<string> ListCollectionNamesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.CompletedTask;
        yield return PassageRecordDefinition.CollectionName;
    }

    public override Task<bool> CollectionExistsAsync(string name, CancellationToken cancellationToken = default) =>
        Task.FromResult(name == PassageRecordDefinition.CollectionName);

    public override Task EnsureCollectionDeletedAsync(string name, CancellationToken cancellationToken = default)
    {
        RequireName(name);
        using var collection = new SqlitePassageCollection(store, approximate, embeddingGenerator);
        return collection.EnsureCollectionDeletedAsync(cancellationToken);
    }

    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null) return null;
        if (serviceType == typeof(VectorStoreMetadata)) return new VectorStoreMetadata { VectorStoreSystemName = "sqlite", VectorStoreName = store.Path };
        if (serviceType == typeof(RagStore)) return store;
        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    private void RequireName(string name)
    {
        if (name != PassageRecordDefinition.CollectionName)
            throw new NotSupportedException($"store '{store.Path}' has one collection, '{PassageRecordDefinition.CollectionName}', not '{name}'");
    }
}
