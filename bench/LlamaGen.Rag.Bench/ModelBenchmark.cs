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
/// retrieval time and the time to the first answer token; hybrid with each <see cref="HybridFusion"/>, and the
/// <see cref="FusionStudy"/>.
/// </summary>
public static class ModelBenchmark
{
    /// <param name="loadModel">The composition point by default; another loader lets the benchmark itself be checked.</param>
    /// <param name="tokenizerPath">For a llama2.c checkpoint (stories260K.bin): its tokenizer; the pair is converted to GGUF first.</param>
    public static async Task RunAsync(string modelPath, string folder, int maxAnswerTokens, Func<string, RagModel>? loadModel = null,
        string? tokenizerPath = null)
    {
        if (tokenizerPath is not null)
        {
            string converted = Path.Combine(folder, Path.GetFileNameWithoutExtension(modelPath) + ".gguf");
            LlamaGen.Conversion.Llama2CConverter.Convert(modelPath, tokenizerPath, converted);
            modelPath = converted;
        }
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
        foreach (var mode in (RetrievalMode[])[RetrievalMode.Vector, RetrievalMode.Keyword])
        {
            var scores = await RetrievalScores.MeasureAsync(retriever, mode, questions);
            Console.WriteLine($"| {mode} | {scores.RecallAt5:P1} | {scores.MeanReciprocalRank:F3} |");
        }
        foreach (var fusion in Enum.GetValues<HybridFusion>())
        {
            using var fused = PassageStoreFactory.Create(store, model.Embeddings, fusion: new HybridFusionOptions(fusion));
            var scores = await RetrievalScores.MeasureAsync(new PassageRetriever(fused, model.Embeddings), RetrievalMode.Hybrid, questions);
            Console.WriteLine($"| Hybrid, --fusion {fusion.ToString().ToLowerInvariant()} | {scores.RecallAt5:P1} | {scores.MeanReciprocalRank:F3} |");
        }
        await FusionStudy.RunAsync(store, passages, model.Embeddings, questions);
        if (maxAnswerTokens == 0) return;

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
