using LlamaGen.Rag.Storage;
using LlamaGen.Rag.Tests.Support;
using LlamaGen.Rag.VectorData;

namespace LlamaGen.Rag.Tests;

/// <summary>The HNSW index (USearch) against exact search, and its consistency with the SQLite rows.</summary>
public sealed class ApproximateIndexTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(64, 5_000)]
    [InlineData(256, 3_000)]
    public void Hnsw_recall_against_exact_search_is_at_least_95_percent(int dimensions, int count)
    {
        var random = new Random(1234);
        var vectors = Enumerable.Range(0, count).Select(_ => TestStores.RandomVector(random, dimensions)).ToList();
        var matrix = VectorMatrix.FromVectors(vectors, dimensions);
        using var index = ApproximateIndex.Build(matrix, new ApproximateSearchOptions());

        const int k = 10, queries = 100;
        int found = 0;
        for (int q = 0; q < queries; q++)
        {
            var query = TestStores.RandomVector(random, dimensions);
            var exact = matrix.Top(query, k).Select(r => r.RowId).ToHashSet();
            found += index.Search(query, k).Count(exact.Contains);
        }
        double recall = (double)found / (queries * k);
        TestContext.Current.SendDiagnosticMessage($"HNSW recall@{k} over {count} random {dimensions}-d vectors: {recall:P1}");
        Assert.True(recall >= 0.95, $"recall@{k} = {recall:P1}");
    }

    [Fact]
    public async Task Search_through_the_index_agrees_with_exact_search_and_follows_every_change()
    {
        var random = new Random(7);
        string path = _temp["rag.db"];
        var model = new EmbeddingModelIdentity("m", "mean", 32);
        using var store = RagStore.OpenOrCreate(path, model);
        using var approximate = new SqlitePassageCollection(store, new ApproximateSearchOptions(Threshold: 100));
        using var exact = new SqlitePassageCollection(store, ApproximateSearchOptions.ExactOnly);
        await approximate.UpsertAsync(Enumerable.Range(0, 500).Select(i => TestStores.Record("f.txt", i, TestStores.RandomVector(random, 32))));
        Assert.True(approximate.UsesApproximateIndex);

        int agree = 0, total = 0;
        for (int q = 0; q < 20; q++)
        {
            var query = TestStores.RandomVector(random, 32);
            var a = (await approximate.SearchAsync(query, 5).ToListAsync()).Select(r => r.Record.Position).ToList();
            var e = (await exact.SearchAsync(query, 5).ToListAsync()).Select(r => r.Record.Position).ToList();
            agree += a.Intersect(e).Count();
            total += 5;
        }
        Assert.True(agree >= total * 0.95, $"{agree} of {total} agree");
        Assert.Single(Directory.GetFiles(_temp.Path, "rag.db.*.usearch"));

        // A new row changes the generation: the saved index is stale, and the next search must see the new row.
        var probe = TestStores.RandomVector(random, 32);
        await approximate.UpsertAsync(TestStores.Record("new.txt", 0, probe));
        var top = await approximate.SearchAsync(probe, 1).ToListAsync();
        Assert.Equal("new.txt", top[0].Record.File);
        Assert.Equal(1.0, top[0].Score!.Value, 5);

        // Deleted rows never come back from an index built before the deletion.
        await approximate.DeleteAsync(top[0].Record.Id);
        Assert.DoesNotContain(await approximate.SearchAsync(probe, 10).ToListAsync(), r => r.Record.File == "new.txt");
        Assert.Single(Directory.GetFiles(_temp.Path, "rag.db.*.usearch")); // stale generations are removed
    }

    [Fact]
    public async Task A_saved_index_of_another_generation_is_never_used()
    {
        var random = new Random(3);
        string path = _temp["rag.db"];
        var model = new EmbeddingModelIdentity("m", "mean", 16);
        using var store = RagStore.OpenOrCreate(path, model);
        using (var writer = new SqlitePassageCollection(store, new ApproximateSearchOptions(Threshold: 10)))
        {
            await writer.UpsertAsync(Enumerable.Range(0, 50).Select(i => TestStores.Record("f.txt", i, TestStores.RandomVector(random, 16))));
            writer.PrepareApproximateIndex();
        }
        string saved = Assert.Single(Directory.GetFiles(_temp.Path, "rag.db.*.usearch"));
        Assert.EndsWith($".g{store.Generation}.usearch", saved);

        // Rows change behind the index's back (as an interrupted ingest's committed batches would): its generation no longer matches.
        using (var other = new SqlitePassageCollection(store, ApproximateSearchOptions.ExactOnly))
            await other.DeleteAsync(Enumerable.Range(0, 50).Select(i => PassageKey.For("f.txt", "h1", i)).Take(25));
        using var reader = new SqlitePassageCollection(store, new ApproximateSearchOptions(Threshold: 10));
        var results = await reader.SearchAsync(TestStores.RandomVector(random, 16), 50).ToListAsync();
        Assert.Equal(25, results.Count);
        Assert.All(results, r => Assert.True(r.Record.Position >= 25));
    }

    [Fact]
    public async Task A_read_only_store_past_the_threshold_builds_its_index_once_and_saves_it_beside_the_store()
    {
        var random = new Random(5);
        string path = _temp["rag.db"];
        var model = new EmbeddingModelIdentity("m", "mean", 16);
        using (var store = RagStore.OpenOrCreate(path, model))
        using (var writer = new SqlitePassageCollection(store, ApproximateSearchOptions.ExactOnly))
            await writer.UpsertAsync(Enumerable.Range(0, 40).Select(i => TestStores.Record("f.txt", i, TestStores.RandomVector(random, 16))));
        Assert.Empty(Directory.GetFiles(_temp.Path, "*.usearch"));

        using var readOnly = RagStore.Open(path, readOnly: true);
        using var reader = new SqlitePassageCollection(readOnly, new ApproximateSearchOptions(Threshold: 10));
        Assert.Equal(5, (await reader.SearchAsync(TestStores.RandomVector(random, 16), 5).ToListAsync()).Count);
        Assert.EndsWith($".g{readOnly.Generation}.usearch", Assert.Single(Directory.GetFiles(_temp.Path, "*.usearch")));
    }
}
