using System.Diagnostics;
using LlamaGen.Rag.Asking;
using LlamaGen.Rag.Chunking;
using LlamaGen.Rag.Composition;
using LlamaGen.Rag.Documents;
using LlamaGen.Rag.Evaluation;
using LlamaGen.Rag.Ingestion;
using LlamaGen.Rag.Prompting;
using LlamaGen.Rag.Retrieval;
using LlamaGen.Rag.Storage;

namespace LlamaGen.Rag.Bench;

/// <summary>
/// <c>--model M</c>: the figures that need the real model, through the composition point — ingest of the bundled corpus
/// with embedding, recall@5 and MRR@10 of the three retrieval modes on the bundled questions, and per question the
/// retrieval time and the time to the first answer token. Fails with "not wired yet" until the adapters exist.
/// </summary>
public static class ModelBenchmark
{
    /// <param name="loadModel">The composition point by default; another loader lets the benchmark itself be checked.</param>
    public static async Task RunAsync(string modelPath, string folder, int maxAnswerTokens, Func<string, RagModel>? loadModel = null)
    {
        string repository = Repository();
        string corpus = Path.Combine(repository, "samples", "LlamaGen.Rag", "corpus");
        var questions = EvaluationQuestion.Load(Path.Combine(repository, "samples", "LlamaGen.Rag", "questions.json"));

        var load = Stopwatch.StartNew();
        using var model = (loadModel ?? RagModelComposition.Load)(modelPath);
        var loadTime = load.Elapsed;
        string storePath = Path.Combine(folder, "model.db");
        using var store = RagStore.OpenOrCreate(storePath, model.Identity);
        using var passages = PassageStoreFactory.Create(store, model.Embeddings);
        var reader = new DocumentReader();
        var ingest = await new IngestWorkflow(store, passages, model.Embeddings, new PassageChunker(model.Tokens, new ChunkerOptions()), reader, new IngestOptions())
            .RunAsync(CorpusScanner.Scan([corpus], folder, reader), SilentIngestProgress.Instance);

        Console.WriteLine($"\n### {model.Identity}\n");
        Console.WriteLine($"Model load {loadTime.TotalSeconds:F2} s. Ingest of the bundled corpus: {ingest.PassagesEmbedded} passages in {ingest.Elapsed.TotalSeconds:F1} s " +
            $"({ingest.PassagesPerSecond:F1} passages/s, embedding {ingest.EmbeddingTime.TotalSeconds:F1} s of it); {ingest.Calibration}.\n");

        var retriever = new PassageRetriever(passages, model.Embeddings);
        Console.WriteLine("| mode | recall@5 | MRR@10 |");
        Console.WriteLine("| --- | ---: | ---: |");
        foreach (var mode in Enum.GetValues<RetrievalMode>())
        {
            var scores = await RetrievalScores.MeasureAsync(retriever, mode, questions);
            Console.WriteLine($"| {mode} | {scores.RecallAt5:P1} | {scores.MeanReciprocalRank:F3} |");
        }

        var ask = new AskWorkflow(retriever, model.Chat, new RagPromptBuilder(model.Tokens, model.ContextTokens, maxAnswerTokens));
        var retrieval = new List<TimeSpan>();
        var firstToken = new List<TimeSpan>();
        foreach (var question in questions)
        {
            var result = await ask.AskAsync(question.Question, new AskOptions(MaxAnswerTokens: maxAnswerTokens));
            retrieval.Add(result.RetrievalTime);
            if (result.TimeToFirstToken is { } t) firstToken.Add(t);
        }
        Console.WriteLine($"\nPer question (median of {questions.Count}, hybrid, top 5, in one process): retrieval (embedding the question included) " +
            $"{Median(retrieval).TotalMilliseconds:F1} ms, first answer token {(firstToken.Count > 0 ? $"{Median(firstToken).TotalMilliseconds:F1} ms" : "never (no answer text)")}.");
    }

    private static TimeSpan Median(List<TimeSpan> times) => times.Order().ElementAt(times.Count / 2);

    private static string Repository()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "LlamaGen.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("LlamaGen.sln not found above " + AppContext.BaseDirectory);
    }
}
