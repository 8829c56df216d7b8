using LlamaGen.Rag.Storage;
using LlamaGen.Rag.Tests.Support;
using Microsoft.Data.Sqlite;

namespace LlamaGen.Rag.Tests;

public sealed class RagStoreTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_new_store_records_format_schema_and_model_and_reopens_in_wal_mode()
    {
        string path = _temp["rag.db"];
        using (var created = RagStore.OpenOrCreate(path, TestStores.Model))
        {
            Assert.Equal(TestStores.Model, created.Model);
            Assert.Empty(created.CheckConsistency());
        }
        using var store = RagStore.Open(path, readOnly: true);
        Assert.Equal(TestStores.Model, store.Model);
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode; SELECT value FROM meta WHERE key = 'format'; SELECT value FROM meta WHERE key = 'schema_version';";
        using var reader = command.ExecuteReader();
        reader.Read(); Assert.Equal("wal", reader.GetString(0));
        reader.NextResult(); reader.Read(); Assert.Equal("llamagen-rag-store", reader.GetString(0));
        reader.NextResult(); reader.Read(); Assert.Equal(1, reader.GetInt32(0));
    }

    [Fact]
    public void A_file_that_is_not_sqlite_is_refused_and_left_unchanged()
    {
        string path = _temp.Write("notes.db", "These are my notes, not a database.\n");
        string before = FileFingerprint.Of(path);
        var e = Assert.Throws<StoreFormatException>(() => RagStore.OpenOrCreate(path, TestStores.Model));
        Assert.Contains($"'{path}' is not a LlamaGen RAG store: it is not an SQLite database", e.Message);
        Assert.Throws<StoreFormatException>(() => RagStore.Open(path, readOnly: true));
        Assert.Equal(before, FileFingerprint.Of(path));
    }

    [Fact]
    public void Another_applications_sqlite_database_is_refused_and_left_unchanged()
    {
        string path = _temp["app.db"];
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO customers (name) VALUES ('Ada');";
            command.ExecuteNonQuery();
        }
        string before = FileFingerprint.Of(path);
        var e = Assert.Throws<StoreFormatException>(() => RagStore.OpenOrCreate(path, TestStores.Model));
        Assert.Contains("is an SQLite database but not a LlamaGen RAG store", e.Message);
        Assert.Equal(before, FileFingerprint.Of(path));
        Assert.False(File.Exists(path + "-wal"), "no WAL was switched on");
    }

    [Fact]
    public void A_sqlite_database_with_a_foreign_meta_table_is_refused()
    {
        string path = _temp["other.db"];
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE meta (key TEXT PRIMARY KEY, value); INSERT INTO meta VALUES ('format', 'someone-else');";
            command.ExecuteNonQuery();
        }
        var e = Assert.Throws<StoreFormatException>(() => RagStore.Open(path, readOnly: false));
        Assert.Contains("meta 'format' is 'someone-else'", e.Message);
    }

    [Fact]
    public void A_store_of_a_newer_schema_is_refused()
    {
        string path = _temp["rag.db"];
        RagStore.OpenOrCreate(path, TestStores.Model).Dispose();
        Execute(path, "UPDATE meta SET value = 99 WHERE key = 'schema_version'");
        var e = Assert.Throws<StoreFormatException>(() => RagStore.Open(path, readOnly: true));
        Assert.Contains("newer llamagen-rag (store schema 99", e.Message);
    }

    [Fact]
    public void A_store_of_another_model_is_refused_and_left_unchanged()
    {
        string path = _temp["rag.db"];
        RagStore.OpenOrCreate(path, TestStores.Model).Dispose();
        string before = FileFingerprint.Of(path);
        var other = TestStores.Model with { ModelId = "another-model:7" };
        var e = Assert.Throws<StoreModelMismatchException>(() => RagStore.OpenOrCreate(path, other));
        Assert.Contains("holds vectors of model 'test-model:1' (pooling mean, 8 dimensions); --model gives model 'another-model:7'", e.Message);
        Assert.Throws<StoreModelMismatchException>(() => RagStore.OpenOrCreate(path, TestStores.Model with { Pooling = "last" }));
        using (var store = RagStore.Open(path, readOnly: true))
            Assert.Throws<StoreModelMismatchException>(() => store.RequireModel(other));
        Assert.Equal(before, FileFingerprint.Of(path));
    }

    [Fact]
    public void A_missing_store_is_reported_with_how_to_make_one()
    {
        var e = Assert.Throws<FileNotFoundException>(() => RagStore.Open(_temp["nothing.db"], readOnly: true));
        Assert.Contains("llamagen-rag ingest --store", e.Message);
    }

    [Fact]
    public void An_empty_file_left_by_a_killed_creation_becomes_a_store()
    {
        string path = _temp.Write("rag.db", "");
        using var store = RagStore.OpenOrCreate(path, TestStores.Model);
        Assert.Equal(TestStores.Model, store.Model);
    }

    [Fact]
    public async Task Consistency_check_finds_orphans_incomplete_files_and_full_text_drift()
    {
        string path = _temp["rag.db"];
        using var store = RagStore.OpenOrCreate(path, TestStores.Model);
        using var collection = new LlamaGen.Rag.VectorData.SqlitePassageCollection(store);
        await collection.UpsertAsync(TestStores.Record("a.txt", 0, new float[8]));
        Assert.Contains(store.CheckConsistency(), p => p.Contains("belongs to no ingested version"));

        store.PutFile(new IngestedFile("a.txt", "h1", "A", 2, IngestedFileState.Complete));
        Assert.Contains(store.CheckConsistency(), p => p.Contains("a.txt: complete with 1 of 2 passages"));

        store.PutFile(new IngestedFile("a.txt", "h1", "A", 2, IngestedFileState.Ingesting));
        Assert.Empty(store.CheckConsistency());

        Execute(path, "DELETE FROM passage_vectors");
        Assert.Contains(store.CheckConsistency(), p => p.Contains("passage 0 of a.txt: no vector"));

        Execute(path, "INSERT INTO passages_fts (passages_fts, rowid, title, text) VALUES ('delete', 1, 'Title of a.txt', 'some text')");
        Assert.Contains(store.CheckConsistency(), p => p.Contains("full-text index"));
    }

    private static void Execute(string path, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
