using LlamaGen.Rag.Chunking;
using LlamaGen.Rag.Composition;
using LlamaGen.Rag.Documents;
using LlamaGen.Rag.Ingestion;
using LlamaGen.Rag.Storage;
using LlamaGen.Rag.TestDoubles;

namespace LlamaGen.Rag.Tests.Support;

/// <summary>Runs the ingest workflow (in-process, test-double embedder) over a folder into a store.</summary>
public static class IngestHarness
{
    public static readonly EmbeddingModelIdentity Model = new("test-double:hashed-bag-of-words", "hashed", 256);

    public static async Task<(IngestReport Report, List<string> Warnings)> IngestAsync(string storePath, string folder, int batchSize = 16,
        HashedBagOfWordsEmbeddingGenerator? embeddings = null, EmbeddingModelIdentity? model = null,
        Microsoft.Extensions.AI.IEmbeddingGenerator<string, Microsoft.Extensions.AI.Embedding<float>>? generator = null)
    {
        var reader = new DocumentReader();
        var scan = CorpusScanner.Scan([folder], Path.GetDirectoryName(Path.GetFullPath(storePath))!, reader);
        using var store = RagStore.OpenOrCreate(storePath, model ?? Model);
        using var passages = PassageStoreFactory.Create(store, null);
        var workflow = new IngestWorkflow(store, passages, generator ?? embeddings ?? new HashedBagOfWordsEmbeddingGenerator(),
            new PassageChunker(TestTokens.Llama2, new ChunkerOptions()), reader, new IngestOptions(batchSize));
        var warnings = new List<string>();
        workflow.Warning += warnings.Add;
        var report = await workflow.RunAsync(scan, SilentIngestProgress.Instance);
        Assert.Empty(store.CheckConsistency());
        return (report, warnings);
    }

    /// <summary>(file, content hash) of every stored passage, to compare store contents.</summary>
    public static List<(string File, string Hash, int Position, string Text)> Passages(string storePath)
    {
        using var store = RagStore.Open(storePath, readOnly: true);
        using var command = store.Connection.CreateCommand();
        command.CommandText = "SELECT file, content_hash, position, text FROM passages ORDER BY file, position";
        using var reader = command.ExecuteReader();
        var rows = new List<(string, string, int, string)>();
        while (reader.Read()) rows.Add((reader.GetString(0), reader.GetString(1), reader.GetInt32(2), reader.GetString(3)));
        return rows;
    }
}
