using LlamaGen.Rag.Retrieval;
using LlamaGen.Rag.Storage;
using LlamaGen.Rag.VectorData;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData;

namespace LlamaGen.Rag.Composition;

/// <summary>Where the passages live. The sample's one line to change for a vector database server.</summary>
public static class PassageStoreFactory
{
    /// <summary>The passage collection for a store file. The ledger (files, hashes, model identity) stays in the SQLite file either way.</summary>
    /// <param name="fusion">How the SQLite store's hybrid search combines BM25 and vectors (a server-side connector fuses its own way).</param>
    public static VectorStoreCollection<Guid, PassageRecord> Create(RagStore ledger, IEmbeddingGenerator<string, Embedding<float>>? embeddings,
        ApproximateSearchOptions? approximate = null, HybridFusionOptions? fusion = null)
    {
        // ↓ The one line: e.g. new QdrantVectorStore(new QdrantClient("localhost"), ownsClient: true), or
        //   new PostgresVectorStore(connectionString) (see samples/LlamaGen.Rag/README.md, "Another vector database").
        VectorStore vectorStore = new SqliteRagVectorStore(ledger, approximate, embeddings, fusion);
        return vectorStore.GetCollection<Guid, PassageRecord>(PassageRecordDefinition.CollectionName, PassageRecordDefinition.For(ledger.Model.Dimensions));
    }
}
