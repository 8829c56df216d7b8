using LlamaGen.Tokenization;
using System.Diagnostics;
using LlamaGen.Gguf;
using LlamaGen.Rag.Chunking;
using LlamaGen.Rag.Composition;
using LlamaGen.Rag.Documents;
using LlamaGen.Rag.Ingestion;
using LlamaGen.Rag.Storage;
using LlamaGen.Rag.Tokens;

namespace LlamaGen.Rag.Bench;

/// <summary>
/// The whole ingest workflow (scan, hash, read, cut with the Llama 2 tokenizer, store, FTS, calibration, HNSW build
/// past the threshold) over synthetic Markdown documents, with <see cref="InstantEmbeddingGenerator"/> in place of a model.
/// </summary>
public static class IngestThroughput
{
    private static readonly Lazy<ITokenCounter> Tokens = new(() => new TokenizerTokenCounter(Tokenizer.FromGguf(GgufFile.Open(TinyRandomGguf()))));

    public static async Task<(int Passages, TimeSpan Elapsed)> MeasureAsync(string folder, int passages, int dimensions)
    {
        var corpus = new SyntheticCorpus(dimensions, seed: 7);
        string documents = Path.Combine(folder, $"docs-{dimensions}-{passages}");
        // About 16 passages of 128 tokens (with overlap) per document: 8 paragraphs of 5 sentences of 12 words.
        for (int d = 0; d < Math.Max(1, passages / 16); d++)
        {
            var paragraphs = Enumerable.Range(0, 8).Select(_ => string.Join(" ", Enumerable.Range(0, 5).Select(_ => Sentence(corpus))));
            Directory.CreateDirectory(Path.Combine(documents, $"part{d / 1000}"));
            File.WriteAllText(Path.Combine(documents, $"part{d / 1000}", $"doc{d}.md"), $"# Document {d}\n\n" + string.Join("\n\n", paragraphs));
        }
        string storePath = Path.Combine(folder, $"ingest-{dimensions}-{passages}.db");
        var clock = Stopwatch.StartNew();
        var reader = new DocumentReader();
        var scan = CorpusScanner.Scan([documents], folder, reader);
        using var store = RagStore.OpenOrCreate(storePath, new EmbeddingModelIdentity("instant", "none", dimensions));
        using var collection = PassageStoreFactory.Create(store, null);
        var embeddings = new InstantEmbeddingGenerator(corpus);
        var workflow = new IngestWorkflow(store, collection, embeddings, new PassageChunker(Tokens.Value, new ChunkerOptions()), reader, new IngestOptions());
        var report = await workflow.RunAsync(scan, SilentIngestProgress.Instance);
        return (report.PassagesEmbedded, clock.Elapsed);
    }

    private static string Sentence(SyntheticCorpus corpus)
    {
        string words = string.Join(' ', Enumerable.Range(0, 12).Select(_ => corpus.Word()));
        return char.ToUpperInvariant(words[0]) + words[1..] + ".";
    }

    private static string TinyRandomGguf()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "fixtures", "llama-2-tiny-random.gguf");
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException("shared/fixtures/llama-2-tiny-random.gguf not found beside the checkout");
    }
}
