using LlamaGen.Rag.Retrieval;
using LlamaGen.Rag.Storage;
using LlamaGen.Rag.Tests.Support;
using LlamaGen.Rag.VectorData;
using Microsoft.Extensions.VectorData;

namespace LlamaGen.Rag.Tests;

/// <summary>The SQLite store through the Microsoft.Extensions.VectorData abstraction only.</summary>
public sealed class SqlitePassageCollectionTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly RagStore _store;
    private readonly VectorStoreCollection<Guid, PassageRecord> _collection;

    public SqlitePassageCollectionTests()
    {
        _store = RagStore.OpenOrCreate(_temp["rag.db"], TestStores.Model);
        VectorStore vectorStore = new SqliteRagVectorStore(_store);
        _collection = vectorStore.GetCollection<Guid, PassageRecord>(PassageRecordDefinition.CollectionName, PassageRecordDefinition.For(8));
    }

    public void Dispose()
    {
        _collection.Dispose();
        _store.Dispose();
        _temp.Dispose();
    }

    private static float[] Axis(int i, float scale = 1) { var v = new float[8]; v[i] = scale; return v; }

    [Fact]
    public async Task Upsert_then_get_round_trips_every_property()
    {
        var record = TestStores.Record("docs/a.pdf", 3, [1, 2, 3, 4, 5, 6, 7, 8], "Text with ünïcødé 🎉");
        await _collection.UpsertAsync(record);

        var read = await _collection.GetAsync(record.Id, new RecordRetrievalOptions { IncludeVectors = true });
        Assert.NotNull(read);
        Assert.Equal((record.Id, record.File, record.Title, record.Position, record.Page, record.Start, record.Length, record.TokenCount, record.ContentHash, record.Text),
            (read.Id, read.File, read.Title, read.Position, read.Page, read.Start, read.Length, read.TokenCount, read.ContentHash, read.Text));
        Assert.Equal(record.Embedding.ToArray(), read.Embedding.ToArray());
        Assert.True((await _collection.GetAsync(record.Id))!.Embedding.IsEmpty, "vectors only when asked for");
        Assert.Null(await _collection.GetAsync(Guid.NewGuid()));
    }

    [Fact]
    public async Task Upsert_of_an_existing_key_replaces_the_row_and_its_full_text_entry()
    {
        var record = TestStores.Record("a.txt", 0, Axis(0), "original wording about lighthouses");
        await _collection.UpsertAsync(record);
        record.Text = "replacement wording about volcanoes";
        await _collection.UpsertAsync(record);

        var all = await _collection.GetAsync(r => true, 10).ToListAsync();
        Assert.Single(all);
        var search = (SqlitePassageCollection)_collection;
        Assert.Empty(await search.KeywordSearchAsync(["lighthouses"], 5).ToListAsync());
        Assert.Single(await search.KeywordSearchAsync(["volcanoes"], 5).ToListAsync());
        Assert.DoesNotContain(_store.CheckConsistency(), p => !p.Contains("belongs to no ingested version"));
    }

    [Fact]
    public async Task Delete_removes_rows_and_their_full_text_entries()
    {
        var records = Enumerable.Range(0, 5).Select(i => TestStores.Record("a.txt", i, Axis(i), $"passage {i} mentions kites")).ToList();
        await _collection.UpsertAsync(records);
        await _collection.DeleteAsync(records.Take(3).Select(r => r.Id));
        await _collection.DeleteAsync(records[3].Id);

        Assert.Equal([4], (await _collection.GetAsync(r => true, 10).ToListAsync()).Select(r => r.Position));
        Assert.Single(await ((SqlitePassageCollection)_collection).KeywordSearchAsync(["kites"], 10).ToListAsync());
    }

    [Fact]
    public async Task Vector_search_ranks_by_cosine_best_first_and_honours_top_skip_and_threshold()
    {
        await _collection.UpsertAsync([
            TestStores.Record("a.txt", 0, Axis(0)),
            TestStores.Record("a.txt", 1, [1, 1, 0, 0, 0, 0, 0, 0]),
            TestStores.Record("a.txt", 2, Axis(1, 5)),
            TestStores.Record("a.txt", 3, Axis(0, -2)),
        ]);
        var results = await _collection.SearchAsync(new ReadOnlyMemory<float>(Axis(0, 3)), 4).ToListAsync();
        Assert.Equal([0, 1, 2, 3], results.Select(r => r.Record.Position));
        Assert.Equal([1.0, Math.Sqrt(0.5), 0.0, -1.0], results.Select(r => Math.Round(r.Score!.Value, 6)).ToArray(), new RoundedComparer());

        var page = await _collection.SearchAsync(Axis(0), 2, new VectorSearchOptions<PassageRecord> { Skip = 1 }).ToListAsync();
        Assert.Equal([1, 2], page.Select(r => r.Record.Position));
        var good = await _collection.SearchAsync(Axis(0), 4, new VectorSearchOptions<PassageRecord> { ScoreThreshold = 0.5 }).ToListAsync();
        Assert.Equal([0, 1], good.Select(r => r.Record.Position));
    }

    [Fact]
    public async Task Filters_translate_comparisons_contains_and_logic()
    {
        await _collection.UpsertAsync([
            TestStores.Record("a.txt", 0, Axis(0), "alpha"),
            TestStores.Record("a.txt", 1, Axis(0), "beta"),
            TestStores.Record("b.pdf", 0, Axis(0), "gamma"),
            TestStores.Record("c.md", 5, Axis(0), "delta"),
        ]);
        string wanted = "a.txt";
        string[] files = ["b.pdf", "c.md"];
        async Task<string[]> Texts(System.Linq.Expressions.Expression<Func<PassageRecord, bool>> filter) =>
            (await _collection.SearchAsync(Axis(0), 10, new VectorSearchOptions<PassageRecord> { Filter = filter }).ToListAsync()).Select(r => r.Record.Text).Order().ToArray();

        Assert.Equal(["alpha", "beta"], await Texts(r => r.File == wanted));
        Assert.Equal(["beta"], await Texts(r => r.File == wanted && r.Position >= 1));
        Assert.Equal(["alpha", "delta"], await Texts(r => r.Position == 0 && r.File != "b.pdf" || r.Position > 4));
        Assert.Equal(["delta", "gamma"], await Texts(r => files.Contains(r.File)));
        Assert.Equal(["gamma"], await Texts(r => r.Page != null));
        Assert.Equal(["alpha", "beta", "delta"], await Texts(r => !(r.Page != null)));
        Assert.Equal(["gamma"], await Texts(r => r.Text.Contains("amm")));
        Assert.Equal(["alpha", "beta"], (await _collection.GetAsync(r => r.File == "a.txt", 10).ToListAsync()).Select(r => r.Text));

        var e = await Assert.ThrowsAsync<NotSupportedException>(async () => await Texts(r => r.Text.Length > 3));
        Assert.Contains("not supported", e.Message);
    }

    [Fact]
    public async Task Keyword_search_ranks_by_bm25_and_honours_filters_on_the_joined_columns()
    {
        await _collection.UpsertAsync([
            TestStores.Record("a.txt", 0, Axis(0), "tides tides tides and the moon"),
            TestStores.Record("a.txt", 1, Axis(0), "the moon is far away from the tides of the ocean and the sea and the shore"),
            TestStores.Record("b.txt", 0, Axis(0), "tides again"),
            TestStores.Record("b.txt", 1, Axis(0), "nothing about it"),
        ]);
        var search = (IPassageKeywordSearch)_collection;
        var all = await search.KeywordSearchAsync(["tides"], 10).ToListAsync();
        Assert.Equal(3, all.Count);
        Assert.Equal(("a.txt", 0), (all[0].Record.File, all[0].Record.Position));
        Assert.True(all.Select(r => r.Score!.Value).SequenceEqual(all.Select(r => r.Score!.Value).OrderDescending()));
        // "text" and "title" exist in both tables: the filter's columns must be the passages' own.
        var filtered = await search.KeywordSearchAsync(["tides"], 10, r => r.File == "b.txt" && r.Text != "x" && r.Title != "").ToListAsync();
        Assert.Equal([("b.txt", 0)], filtered.Select(r => (r.Record.File, r.Record.Position)));
        Assert.Empty(await search.KeywordSearchAsync([], 10).ToListAsync());
    }

    [Fact]
    public async Task Get_with_filter_orders_skips_and_limits()
    {
        await _collection.UpsertAsync(Enumerable.Range(0, 6).Select(i => TestStores.Record("a.txt", i, Axis(0), $"t{i}")));
        var records = await _collection.GetAsync(r => r.Position < 5, 2,
            new FilteredRecordRetrievalOptions<PassageRecord> { Skip = 1, OrderBy = o => o.Descending(r => r.Position) }).ToListAsync();
        Assert.Equal([3, 2], records.Select(r => r.Position));
    }

    [Theory]
    [InlineData(HybridFusion.Convex)]
    [InlineData(HybridFusion.Rrf)]
    public async Task Hybrid_search_fuses_keyword_and_vector_rankings(HybridFusion fusion)
    {
        // Passage 0 is the best vector match only, 1 the best keyword match only, 2 second in both: fusion ranks 2 first.
        // Fillers (close vectors, no keyword) push passage 1 down the vector ranking.
        await _collection.UpsertAsync([
            TestStores.Record("a.txt", 0, Axis(0), "nothing relevant here"),
            TestStores.Record("a.txt", 1, Axis(1), "the lighthouse keeper"),
            TestStores.Record("a.txt", 2, [0.95f, 0.05f, 0, 0, 0, 0, 0, 0], "a lighthouse on the point, a tower of granite"),
            .. Enumerable.Range(3, 10).Select(i => TestStores.Record("a.txt", i, [0.8f, 0, 0.2f, 0, 0, 0, 0, 0], $"filler {i}")),
        ]);
        using var fused = new SqlitePassageCollection(_store, fusion: new HybridFusionOptions(fusion));
        var results = await ((IKeywordHybridSearchable<PassageRecord>)fused).HybridSearchAsync(new ReadOnlyMemory<float>(Axis(0)), ["lighthouse"], 3).ToListAsync();
        Assert.Equal([2, 1, 0], results.Select(r => r.Record.Position));
        if (fusion == HybridFusion.Rrf)
        {
            Assert.Equal(2.0 / 62, results[0].Score!.Value, 9);
            return;
        }
        // Convex, equal weights: half the cosine normalized from -1 to the best (passage 0's 1), half BM25 over the best (passage 1's).
        var bm25 = await fused.KeywordSearchAsync(["lighthouse"], 5).ToListAsync();
        Assert.Equal([1, 2], bm25.Select(r => r.Record.Position));
        double cosine = 0.95 / Math.Sqrt(0.95 * 0.95 + 0.05 * 0.05);
        Assert.Equal(0.5 * (cosine + 1) / 2 + 0.5 * bm25[1].Score!.Value / bm25[0].Score!.Value, results[0].Score!.Value, 6);
        Assert.Equal(0.5 * (0 + 1) / 2 + 0.5, results[1].Score!.Value, 6); // passage 1: orthogonal to the query, BM25's best
    }

    [Fact]
    public async Task Wrong_vector_sizes_and_missing_keys_are_refused_naming_the_passage()
    {
        var bad = TestStores.Record("a.txt", 7, [1, 2, 3]);
        var e = await Assert.ThrowsAsync<ArgumentException>(() => _collection.UpsertAsync(bad));
        Assert.Contains("passage 7 of 'a.txt'", e.Message);
        Assert.Contains("8", e.Message);
        var noKey = TestStores.Record("a.txt", 1, Axis(0));
        noKey.Id = Guid.Empty;
        await Assert.ThrowsAsync<ArgumentException>(() => _collection.UpsertAsync(noKey));
        await Assert.ThrowsAsync<ArgumentException>(async () => await _collection.SearchAsync(new float[3], 1).ToListAsync());
    }

    [Fact]
    public void The_store_describes_itself_and_refuses_other_record_types()
    {
        var metadata = (VectorStoreCollectionMetadata)_collection.GetService(typeof(VectorStoreCollectionMetadata))!;
        Assert.Equal("sqlite", metadata.VectorStoreSystemName);
        Assert.Equal("passages", metadata.CollectionName);
        VectorStore vectorStore = new SqliteRagVectorStore(_store);
        Assert.Throws<NotSupportedException>(() => vectorStore.GetCollection<string, PassageRecord>("passages"));
        Assert.Throws<NotSupportedException>(() => vectorStore.GetCollection<Guid, PassageRecord>("other"));
        Assert.Throws<NotSupportedException>(() => vectorStore.GetCollection<Guid, PassageRecord>("passages", PassageRecordDefinition.For(16)));
    }

    private sealed class RoundedComparer : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) < 1e-5;
        public int GetHashCode(double obj) => 0;
    }
}
