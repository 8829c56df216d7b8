using LlamaGen.Rag.Storage;
using LlamaGen.Rag.TestDoubles;
using LlamaGen.Rag.Tests.Support;

namespace LlamaGen.Rag.Tests;

public sealed class IncrementalIngestTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task First_ingest_adds_every_file_in_batches_and_a_second_skips_them_all()
    {
        string corpus = _temp.CopyCorpus();
        string store = _temp["rag.db"];
        var embeddings = new HashedBagOfWordsEmbeddingGenerator();
        var (first, warnings) = await IngestHarness.IngestAsync(store, corpus, batchSize: 8, embeddings);
        int files = Directory.GetFiles(corpus, "*", SearchOption.AllDirectories).Length;
        Assert.Empty(warnings);
        Assert.Equal(files, first.Added);
        Assert.True(first.PassagesEmbedded > files, $"{first.PassagesEmbedded} passages");
        Assert.Equal(first.PassagesEmbedded, first.StoredPassages);
        // Batches of 8 (the last one shorter), then one call for the fusion calibration's probe sentences.
        int batches = (first.PassagesEmbedded + 7) / 8;
        Assert.Equal(batches + 1, embeddings.BatchSizes.Count);
        Assert.All(embeddings.BatchSizes.Take(batches - 1), size => Assert.Equal(8, size));
        Assert.Equal(32, embeddings.BatchSizes[^1]);
        Assert.NotNull(first.Calibration);

        var before = IngestHarness.Passages(store);
        embeddings.BatchSizes.Clear();
        var (second, _) = await IngestHarness.IngestAsync(store, corpus, embeddings: embeddings);
        Assert.Equal((files, 0, 0, 0, 0), (second.Unchanged, second.Added, second.Replaced, second.Resumed, second.PassagesEmbedded));
        Assert.Empty(embeddings.BatchSizes);
        Assert.Equal(before, IngestHarness.Passages(store));
    }

    [Fact]
    public async Task A_changed_file_replaces_its_passages_and_only_it_is_embedded()
    {
        string corpus = _temp.CopyCorpus();
        string store = _temp["rag.db"];
        await IngestHarness.IngestAsync(store, corpus);
        var before = IngestHarness.Passages(store);
        string changed = Path.Combine(corpus, "txt", "tea-brewing.txt");
        File.WriteAllText(changed, "Brewing Tea Properly\n\nAlways warm the teapot first with a splash of hot water. That is the whole guide now.\n");

        var (report, _) = await IngestHarness.IngestAsync(store, corpus);

        Assert.Equal((1, 0, 1), (report.Replaced, report.Added, report.PassagesEmbedded));
        var after = IngestHarness.Passages(store);
        var tea = after.Where(p => p.File.EndsWith("tea-brewing.txt", StringComparison.Ordinal)).ToList();
        Assert.Single(tea);
        Assert.Contains("warm the teapot", tea[0].Text);
        Assert.Equal(before.Where(p => !p.File.EndsWith("tea-brewing.txt", StringComparison.Ordinal)), after.Where(p => !p.File.EndsWith("tea-brewing.txt", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_deleted_file_loses_its_passages_and_its_ledger_row()
    {
        string corpus = _temp.CopyCorpus();
        string store = _temp["rag.db"];
        await IngestHarness.IngestAsync(store, corpus);
        File.Delete(Path.Combine(corpus, "md", "tides.md"));
        File.Delete(Path.Combine(corpus, "pdf", "bike-share.pdf"));

        var (report, _) = await IngestHarness.IngestAsync(store, corpus);

        Assert.Equal((2, 0), (report.Deleted, report.PassagesEmbedded));
        Assert.DoesNotContain(IngestHarness.Passages(store), p => p.File.EndsWith("tides.md", StringComparison.Ordinal) || p.File.EndsWith("bike-share.pdf", StringComparison.Ordinal));
        using var opened = RagStore.Open(store, readOnly: true);
        Assert.DoesNotContain(opened.ListFiles(), f => f.Key.EndsWith("tides.md", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Files_outside_the_folders_ingested_now_are_kept()
    {
        string store = _temp["rag.db"];
        _temp.Write("a/one.txt", "One\n\nThe first folder.");
        _temp.Write("b/two.txt", "Two\n\nThe second folder.");
        await IngestHarness.IngestAsync(store, _temp["a"]);
        var (report, _) = await IngestHarness.IngestAsync(store, _temp["b"]);
        Assert.Equal((1, 0), (report.Added, report.Deleted));
        Assert.Equal(["a/one.txt", "b/two.txt"], IngestHarness.Passages(store).Select(p => p.File));
    }

    [Fact]
    public async Task Unreadable_and_corrupt_files_are_skipped_with_a_warning_naming_them_and_their_old_passages_kept()
    {
        string corpus = _temp.CopyCorpus();
        string store = _temp["rag.db"];
        await IngestHarness.IngestAsync(store, corpus);
        var before = IngestHarness.Passages(store);
        string pdf = Path.Combine(corpus, "pdf", "recycling-guide.pdf");
        File.WriteAllBytes(pdf, File.ReadAllBytes(pdf)[..200]);
        File.WriteAllBytes(Path.Combine(corpus, "txt", "latin1.txt"), [0x63, 0x61, 0x66, 0xE9]);
        File.CreateSymbolicLink(Path.Combine(corpus, "md", "dangling.md"), Path.Combine(corpus, "nowhere.md"));

        var (report, warnings) = await IngestHarness.IngestAsync(store, corpus);

        Assert.Equal(3, report.Skipped.Count);
        Assert.Contains(warnings, w => w.Contains("'corpus/pdf/recycling-guide.pdf'") && w.Contains("PDF") && w.Contains("kept"));
        Assert.Contains(warnings, w => w.Contains("'corpus/txt/latin1.txt'") && w.Contains("UTF-8"));
        Assert.Contains(warnings, w => w.Contains("'corpus/md/dangling.md'") && w.Contains("cannot be read"));
        Assert.Equal(before, IngestHarness.Passages(store));
    }

    [Fact]
    public async Task An_empty_document_is_recorded_with_no_passages()
    {
        string store = _temp["rag.db"];
        _temp.Write("docs/empty.txt", "\n\n");
        _temp.Write("docs/full.txt", "Full\n\nSome words.");
        var (report, _) = await IngestHarness.IngestAsync(store, _temp["docs"]);
        Assert.Equal(2, report.Added);
        using var opened = RagStore.Open(store, readOnly: true);
        Assert.Equal(0, opened.GetFile("docs/empty.txt")!.PassageCount);
        var (again, _) = await IngestHarness.IngestAsync(store, _temp["docs"]);
        Assert.Equal(2, again.Unchanged);
    }
}
