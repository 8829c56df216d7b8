using System.Diagnostics;
using System.Globalization;
using LlamaGen.Rag.Bench;
using LlamaGen.Rag.Retrieval;
using LlamaGen.Rag.Storage;
using LlamaGen.Rag.VectorData;
using Microsoft.Extensions.VectorData;

// dotnet run -c Release --project bench/LlamaGen.Rag.Bench -- [--sizes 1000,10000,100000] [--dimensions 64] [--queries 50] [--no-ingest]
// Prints a Markdown table per vector size. Embedding is excluded: the vectors are synthetic.
// dotnet run -c Release --project bench/LlamaGen.Rag.Bench -- --model M [--tokenizer T] [--max-tokens 64]
// The figures that need a model (through RagModelComposition): ingest with embedding, retrieval quality of every mode
// and fusion, time to first token (--max-tokens 0: skipped). A llama2.c checkpoint (stories260K.bin) needs --tokenizer.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
var sizes = Option("--sizes", "1000,10000,100000").Split(',').Select(int.Parse).ToArray();
var dimensions = Option("--dimensions", "64").Split(',').Select(int.Parse).ToArray();
int queries = int.Parse(Option("--queries", "50"));
string folder = Path.Combine(Path.GetTempPath(), "llamagen-rag-bench-" + Environment.ProcessId);
Directory.CreateDirectory(folder);
try
{
    if (args.Contains("--model"))
    {
        await ModelBenchmark.RunAsync(Option("--model", ""), folder, int.Parse(Option("--max-tokens", "64")),
            tokenizerPath: args.Contains("--tokenizer") ? Option("--tokenizer", "") : null);
        return;
    }
    foreach (int d in dimensions)
    {
        Console.WriteLine($"\n### {d}-dimensional vectors\n");
        Console.WriteLine("| passages | ingest, no embedding (passages/s) | store write (passages/s) | store size | exact, warm | exact, cold | HNSW build | HNSW, warm | HNSW, cold | HNSW recall@10 | BM25 | hybrid (exact) |");
        Console.WriteLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (int n in sizes)
        {
            string ingest = "—";
            if (!args.Contains("--no-ingest"))
            {
                var (passages, elapsed) = await IngestThroughput.MeasureAsync(folder, n, d);
                ingest = $"{passages / elapsed.TotalSeconds:N0} ({passages:N0} in {elapsed.TotalSeconds:F1} s)";
            }
            Console.WriteLine((await MeasureAsync(Path.Combine(folder, $"bench-{d}-{n}.db"), n, d, queries)).Replace("| " + n.ToString("N0") + " |", $"| {n:N0} | {ingest} |"));
        }
    }
}
finally
{
    Directory.Delete(folder, recursive: true);
}

static async Task<string> MeasureAsync(string path, int count, int dimensions, int queries)
{
    var corpus = new SyntheticCorpus(dimensions);
    var model = new EmbeddingModelIdentity("synthetic", "none", dimensions);

    // Ingest's store path: batches of 16, one transaction each with the ledger row, as IngestWorkflow writes them.
    var clock = Stopwatch.StartNew();
    using (var store = RagStore.OpenOrCreate(path, model))
    using (var writer = new SqlitePassageCollection(store, ApproximateSearchOptions.ExactOnly))
    {
        for (int first = 0; first < count; first += 16)
        {
            using var transaction = store.BeginTransaction();
            string file = $"docs/file{first / 160}.txt";
            var batch = Enumerable.Range(first, Math.Min(16, count - first)).Select(i => new PassageRecord
            {
                Id = PassageKey.For(file, "hash", i), File = file, Title = "Synthetic", Position = i % 160, Start = 0,
                Length = 0, TokenCount = 100, ContentHash = "hash", Text = corpus.Text(), Embedding = corpus.Vector(),
            }).ToList();
            await writer.UpsertAsync(batch);
            store.PutFile(new IngestedFile(file, "hash", "Synthetic", 160, IngestedFileState.Ingesting));
            transaction.Commit();
        }
    }
    double writeRate = count / clock.Elapsed.TotalSeconds;
    long bytes = new FileInfo(path).Length + (File.Exists(path + "-wal") ? new FileInfo(path + "-wal").Length : 0);

    var queryVectors = Enumerable.Range(0, queries).Select(_ => corpus.Vector()).ToList();
    var keywordQueries = Enumerable.Range(0, queries).Select(_ => new[] { corpus.Word(), corpus.Word(), corpus.Word() }).ToList();

    using var opened = RagStore.Open(path, readOnly: false);
    using var exact = new SqlitePassageCollection(opened, ApproximateSearchOptions.ExactOnly);
    using var approximate = new SqlitePassageCollection(opened, new ApproximateSearchOptions(Threshold: 0));

    // Cold = what one `ask` process pays: open the store, load the vectors (or the index), search once.
    string exactCold = Median(queryVectors.Take(Math.Min(queries, 10)).Select(q => Time(() =>
    {
        using var store = RagStore.Open(path, readOnly: true);
        using var collection = new SqlitePassageCollection(store, ApproximateSearchOptions.ExactOnly);
        return collection.SearchAsync(q, 5).ToListAsync().AsTask();
    })));
    await exact.SearchAsync(queryVectors[0], 5).ToListAsync();
    string exactWarm = Median(queryVectors.Select(q => Time(() => exact.SearchAsync(q, 5).ToListAsync().AsTask())));

    var build = Stopwatch.StartNew();
    approximate.PrepareApproximateIndex();
    string buildTime = Format(build.Elapsed);
    string approximateWarm = Median(queryVectors.Select(q => Time(() => approximate.SearchAsync(q, 5).ToListAsync().AsTask())));
    string approximateCold = Median(queryVectors.Take(Math.Min(queries, 10)).Select(q => Time(() =>
    {
        using var store = RagStore.Open(path, readOnly: true);
        using var collection = new SqlitePassageCollection(store, new ApproximateSearchOptions(Threshold: 0));
        return collection.SearchAsync(q, 5).ToListAsync().AsTask();
    })));

    int agree = 0;
    foreach (var q in queryVectors)
    {
        var truth = (await exact.SearchAsync(q, 10).ToListAsync()).Select(r => r.Record.Id).ToHashSet();
        agree += (await approximate.SearchAsync(q, 10).ToListAsync()).Count(r => truth.Contains(r.Record.Id));
    }
    double recall = (double)agree / (10 * queries);

    string keyword = Median(keywordQueries.Select(k => Time(() => exact.KeywordSearchAsync(k, 5).ToListAsync().AsTask())));
    var hybrid = (IKeywordHybridSearchable<PassageRecord>)exact;
    string hybridTime = Median(queryVectors.Zip(keywordQueries).Select(p => Time(() =>
        hybrid.HybridSearchAsync(new ReadOnlyMemory<float>(p.First), p.Second, 5).ToListAsync().AsTask())));

    return $"| {count:N0} | {writeRate:N0} | {bytes / 1048576.0:F1} MiB | {exactWarm} | {exactCold} | {buildTime} | {approximateWarm} | {approximateCold} | {recall:P1} | {keyword} | {hybridTime} |";
}

static TimeSpan Time<T>(Func<Task<T>> run)
{
    var clock = Stopwatch.StartNew();
    run().GetAwaiter().GetResult();
    return clock.Elapsed;
}

// The first run of each measurement warms the JIT and the caches and is left out.
static string Median(IEnumerable<TimeSpan> times)
{
    var sorted = times.Skip(1).Order().ToList();
    return Format(sorted[sorted.Count / 2]);
}

static string Format(TimeSpan time) => time.TotalMilliseconds < 1 ? $"{time.TotalMicroseconds:F0} µs"
    : time.TotalSeconds < 1 ? $"{time.TotalMilliseconds:F2} ms" : $"{time.TotalSeconds:F2} s";

string Option(string name, string fallback)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}
