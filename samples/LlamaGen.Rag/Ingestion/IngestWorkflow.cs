using System.Diagnostics;
using System.Security.Cryptography;
using LlamaGen.Rag.Chunking;
using LlamaGen.Rag.Documents;
using LlamaGen.Rag.Retrieval;
using LlamaGen.Rag.Storage;
using LlamaGen.Rag.VectorData;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData;

namespace LlamaGen.Rag.Ingestion;

/// <summary>
/// Incremental, idempotent ingest. Per file: hash the bytes; a complete ledger entry with that hash is skipped; otherwise
/// read, cut, and embed the passages in batches. Each batch is one transaction holding its passages, the ledger rows of
/// the files it starts (with the deletion of their previous version) and of the files it completes, so a kill at any
/// point leaves whole batches, and the next run embeds only what is missing. Files gone from disk lose their passages.
/// </summary>
public sealed class IngestWorkflow(
    RagStore ledger,
    VectorStoreCollection<Guid, PassageRecord> passages,
    IEmbeddingGenerator<string, Embedding<float>> embeddings,
    PassageChunker chunker,
    DocumentReader reader,
    IngestOptions options)
{
    // Positions an interrupted run already committed, per resumed file.
    private readonly Dictionary<FilePlan, HashSet<int>> _alreadyStored = [];

    /// <summary>A file was skipped; the message names it and why.</summary>
    public event Action<string>? Warning;

    public async Task<IngestReport> RunAsync(CorpusScan scan, IIngestProgress progress, CancellationToken cancellationToken = default)
    {
        options.Validate();
        if (ledger.IsReadOnly) throw new InvalidOperationException($"store '{ledger.Path}' was opened read-only");
        var clock = Stopwatch.StartNew();
        await passages.EnsureCollectionExistsAsync(cancellationToken);

        int deleted = await DeleteVanishedFilesAsync(scan, cancellationToken);
        var skipped = new List<string>();
        var (plans, unchanged) = await PlanAsync(scan, skipped, cancellationToken);
        await CompleteFilesWithNothingToEmbedAsync(plans, cancellationToken);

        var pending = plans.SelectMany(plan => plan.Chunks.Where((_, i) => !plan.IsResume || !AlreadyStored(plan).Contains(i)).Select(chunk => (plan, chunk))).ToList();
        var embeddingTime = TimeSpan.Zero;
        progress.Start(pending.Count);
        try
        {
            for (int first = 0; first < pending.Count; first += options.BatchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var batch = pending.GetRange(first, Math.Min(options.BatchSize, pending.Count - first));
                var embeddingClock = Stopwatch.StartNew();
                var vectors = await EmbedAsync(batch.Select(item => item.chunk.Text).ToList(), cancellationToken);
                embeddingTime += embeddingClock.Elapsed;
                await CommitBatchAsync(batch, vectors, cancellationToken);
                progress.Advance(batch.Count);
            }
        }
        finally
        {
            progress.Finish();
        }

        if (passages is SqlitePassageCollection sqlite) sqlite.PrepareApproximateIndex();
        FusionCalibration? calibration = null;
        if ((pending.Count > 0 || deleted > 0) && passages.GetService(typeof(IPassageKeywordSearch)) is IPassageKeywordSearch keywordSearch)
        {
            calibration = await new FusionCalibrator(passages, keywordSearch, embeddings).CalibrateAsync(cancellationToken);
            ledger.SetFusionWeights(calibration.Weights);
        }
        int added = plans.Count(p => p.Previous is null);
        int resumed = plans.Count(p => p.IsResume);
        return new IngestReport(unchanged, added, plans.Count - added - resumed, resumed, deleted, skipped, pending.Count,
            ledger.ListFiles().Sum(f => (long)f.PassageCount), clock.Elapsed, embeddingTime, calibration);
    }

    private HashSet<int> AlreadyStored(FilePlan plan) => _alreadyStored.TryGetValue(plan, out var stored) ? stored : [];

    private async Task<int> DeleteVanishedFilesAsync(CorpusScan scan, CancellationToken cancellationToken)
    {
        var onDisk = scan.Files.Select(f => f.Key).ToHashSet(StringComparer.Ordinal);
        var vanished = ledger.ListFiles().Where(f => scan.InScope(f.Key) && !onDisk.Contains(f.Key)).ToList();
        if (vanished.Count == 0) return 0;
        using var transaction = ledger.BeginTransaction();
        foreach (var file in vanished)
        {
            await passages.DeleteAsync(PassageKey.ForFile(file.Key, file.ContentHash, file.PassageCount), cancellationToken);
            ledger.RemoveFile(file.Key);
        }
        transaction.Commit();
        return vanished.Count;
    }

    private async Task<(List<FilePlan> Plans, int Unchanged)> PlanAsync(CorpusScan scan, List<string> skipped, CancellationToken cancellationToken)
    {
        var plans = new List<FilePlan>();
        int unchanged = 0;
        foreach (var file in scan.Files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                byte[] content = DocumentReader.ReadBytes(file.FullPath);
                string hash = Convert.ToHexStringLower(SHA256.HashData(content));
                var previous = ledger.GetFile(file.Key);
                if (previous is { State: IngestedFileState.Complete } && previous.ContentHash == hash)
                {
                    unchanged++;
                    continue;
                }
                var document = reader.Read(file.Key, content);
                var plan = new FilePlan(file, hash, document, chunker.Split(document.Text), previous);
                if (plan.IsResume)
                {
                    plan.Started = true;
                    var keys = PassageKey.ForFile(file.Key, hash, plan.Chunks.Count).ToList();
                    var stored = new HashSet<int>();
                    await foreach (var record in passages.GetAsync(keys, cancellationToken: cancellationToken))
                        stored.Add(record.Position);
                    _alreadyStored[plan] = stored;
                }
                plan.Remaining = plan.Chunks.Count - AlreadyStored(plan).Count;
                plans.Add(plan);
            }
            catch (DocumentReadException e)
            {
                string message = $"skipped '{file.Key}': {e.Reason}" + (ledger.GetFile(file.Key) is null ? "" : " (its passages from the last ingest are kept)");
                skipped.Add(message);
                Warning?.Invoke(message);
            }
        }
        return (plans, unchanged);
    }

    // Empty documents, and resumed files whose every passage was already committed, are completed without embedding.
    private async Task CompleteFilesWithNothingToEmbedAsync(List<FilePlan> plans, CancellationToken cancellationToken)
    {
        var done = plans.Where(plan => plan.Remaining == 0).ToList();
        if (done.Count == 0) return;
        using var transaction = ledger.BeginTransaction();
        foreach (var plan in done)
        {
            if (!plan.Started) await StartFileAsync(plan, cancellationToken);
            ledger.PutFile(plan.LedgerRow(IngestedFileState.Complete));
        }
        transaction.Commit();
    }

    private async Task<IReadOnlyList<ReadOnlyMemory<float>>> EmbedAsync(List<string> texts, CancellationToken cancellationToken)
    {
        var generated = await embeddings.GenerateAsync(texts, cancellationToken: cancellationToken);
        if (generated.Count != texts.Count)
            throw new InvalidOperationException($"the embedding generator returned {generated.Count} vectors for {texts.Count} passages");
        foreach (var embedding in generated)
            if (embedding.Vector.Length != ledger.Model.Dimensions)
                throw new InvalidOperationException($"the embedding generator returned a vector of {embedding.Vector.Length} floats; store '{ledger.Path}' holds {ledger.Model}");
        return generated.Select(e => e.Vector).ToList();
    }

    private async Task CommitBatchAsync(List<(FilePlan plan, TextChunk chunk)> batch, IReadOnlyList<ReadOnlyMemory<float>> vectors, CancellationToken cancellationToken)
    {
        using var transaction = ledger.BeginTransaction();
        foreach (var plan in batch.Select(item => item.plan).Distinct().Where(plan => !plan.Started))
            await StartFileAsync(plan, cancellationToken);
        await passages.UpsertAsync(batch.Select((item, i) => Record(item.plan, item.chunk, vectors[i])), cancellationToken);
        foreach (var group in batch.GroupBy(item => item.plan))
        {
            if (group.Key.Remaining - group.Count() == 0)
                ledger.PutFile(group.Key.LedgerRow(IngestedFileState.Complete));
        }
        transaction.Commit();
        // Counted only once committed: a failed batch leaves the plans as the store has them.
        foreach (var group in batch.GroupBy(item => item.plan))
            group.Key.Remaining -= group.Count();
    }

    // In the transaction of the file's first batch: the previous version's passages go, and the ledger names this version.
    private async Task StartFileAsync(FilePlan plan, CancellationToken cancellationToken)
    {
        if (plan.Previous is { } previous)
            await passages.DeleteAsync(PassageKey.ForFile(previous.Key, previous.ContentHash, previous.PassageCount), cancellationToken);
        ledger.PutFile(plan.LedgerRow(IngestedFileState.Ingesting));
        plan.Started = true;
    }

    private static PassageRecord Record(FilePlan plan, TextChunk chunk, ReadOnlyMemory<float> vector) => new()
    {
        Id = PassageKey.For(plan.File.Key, plan.ContentHash, chunk.Position),
        File = plan.File.Key,
        Title = plan.Document.Title,
        Position = chunk.Position,
        Page = plan.Document.PageAt(chunk.Start),
        Start = chunk.Start,
        Length = chunk.Length,
        TokenCount = chunk.TokenCount,
        ContentHash = plan.ContentHash,
        Text = chunk.Text,
        Embedding = vector,
    };
}
