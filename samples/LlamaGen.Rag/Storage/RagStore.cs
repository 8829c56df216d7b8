using System.Globalization;
using Microsoft.Data.Sqlite;

namespace LlamaGen.Rag.Storage;

/// <summary>
/// A store file: SQLite in WAL mode holding the metadata (format, schema version, the model that made the vectors), the
/// ingest ledger (files and their content hashes) and the passages with their vectors and full-text index. The
/// passages are read and written through <see cref="VectorData.SqlitePassageCollection"/>; writes of one ingest batch
/// share one transaction (<see cref="BeginTransaction"/>), so a killed ingest leaves whole batches or nothing.
/// </summary>
public sealed class RagStore : IDisposable
{
    private static readonly byte[] SqliteHeader = "SQLite format 3\0"u8.ToArray();

    private RagStore(string path, SqliteConnection connection, bool readOnly, Guid storeId, EmbeddingModelIdentity model)
    {
        Path = path;
        Connection = connection;
        IsReadOnly = readOnly;
        StoreId = storeId;
        Model = model;
    }

    /// <summary>The store file as given.</summary>
    public string Path { get; }

    /// <summary>Folder that <see cref="IngestedFile.Key"/> paths are relative to.</summary>
    public string Folder => System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!;

    public bool IsReadOnly { get; }

    /// <summary>Random at creation: names this store's approximate-index files so another store's are never mistaken for them.</summary>
    public Guid StoreId { get; }

    /// <summary>The model, pooling and dimensions of every vector in the store.</summary>
    public EmbeddingModelIdentity Model { get; }

    internal SqliteConnection Connection { get; }

    /// <summary>The open batch transaction, which every command of the store and its collection joins.</summary>
    internal SqliteTransaction? Transaction { get; private set; }

    /// <summary>Opens an existing store; refuses a missing file, a file that is not SQLite and a database that is not a LlamaGen store, before writing anything.</summary>
    public static RagStore Open(string path, bool readOnly)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException(Directory.Exists(path)
                ? $"store '{path}' is a directory, not a store file"
                : $"store '{path}' not found: create it with `llamagen-rag ingest --store {path} --model M DIR`", path);
        RequireSqliteHeader(path, allowEmpty: false);
        var connection = Connect(path, readOnly ? SqliteOpenMode.ReadOnly : SqliteOpenMode.ReadWrite);
        try
        {
            var (storeId, model) = ReadMeta(connection, path);
            if (!readOnly) ConfigureForWriting(connection);
            return new RagStore(path, connection, readOnly, storeId, model);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens the store at <paramref name="path"/> for ingest, creating it for <paramref name="model"/> when the file does
    /// not exist (or is an empty database, as a creation killed before its first commit leaves). An existing store must
    /// have been made by the same model.
    /// </summary>
    public static RagStore OpenOrCreate(string path, EmbeddingModelIdentity model)
    {
        if (Directory.Exists(path))
            throw new IOException($"store '{path}' is a directory, not a store file");
        bool exists = File.Exists(path);
        if (exists) RequireSqliteHeader(path, allowEmpty: true);
        var connection = Connect(path, SqliteOpenMode.ReadWriteCreate);
        try
        {
            if (!exists || IsEmptyDatabase(connection))
                Initialize(connection, model);
            var (storeId, stored) = ReadMeta(connection, path);
            if (stored != model)
                throw new StoreModelMismatchException(path, stored, model);
            ConfigureForWriting(connection);
            return new RagStore(path, connection, readOnly: false, storeId, stored);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Refuses a query or ingest with another model than the one that made the vectors.</summary>
    public void RequireModel(EmbeddingModelIdentity model)
    {
        if (model != Model) throw new StoreModelMismatchException(Path, Model, model);
    }

    /// <summary>The hybrid fusion weights the last ingest measured (<see cref="Retrieval.FusionCalibrator"/>); equal weights before any.</summary>
    public Retrieval.FusionWeights FusionWeights
    {
        get
        {
            using var command = Command("SELECT key, value FROM meta WHERE key IN ('fusion_vector_weight', 'fusion_keyword_weight')");
            using var reader = command.ExecuteReader();
            double vector = 1, keyword = 1;
            while (reader.Read())
            {
                if (reader.GetString(0) == "fusion_vector_weight") vector = reader.GetDouble(1);
                else keyword = reader.GetDouble(1);
            }
            return new Retrieval.FusionWeights(vector, keyword);
        }
    }

    public void SetFusionWeights(Retrieval.FusionWeights weights) => InWriteTransaction(() =>
    {
        using var command = Command("INSERT OR REPLACE INTO meta (key, value) VALUES ('fusion_vector_weight', $vector), ('fusion_keyword_weight', $keyword)");
        command.Parameters.AddWithValue("$vector", weights.Vector);
        command.Parameters.AddWithValue("$keyword", weights.Keyword);
        command.ExecuteNonQuery();
    });

    /// <summary>Increases with every committed change to the passages (a trigger bumps it per row).</summary>
    public long Generation => Convert.ToInt64(Scalar("SELECT value FROM meta WHERE key = 'generation'"), CultureInfo.InvariantCulture);

    /// <summary>
    /// Starts the transaction that the ledger and collection writes of one batch share (or, with
    /// <paramref name="readOnly"/>, a snapshot for consistent reads). Dispose without <see cref="StoreTransaction.Commit"/> rolls it back.
    /// </summary>
    public StoreTransaction BeginTransaction(bool readOnly = false)
    {
        if (Transaction is not null) throw new InvalidOperationException("a store transaction is already open");
        // A write transaction takes the write lock at once (BEGIN IMMEDIATE) rather than failing halfway with SQLITE_BUSY.
        Transaction = Connection.BeginTransaction(deferred: readOnly);
        return new StoreTransaction(this, Transaction);
    }

    internal void EndTransaction() => Transaction = null;

    /// <summary>Runs <paramref name="read"/> in the open transaction, or in a snapshot of its own, so what it reads belongs to one generation.</summary>
    internal T InSnapshot<T>(Func<T> read)
    {
        if (Transaction is not null) return read();
        using var snapshot = BeginTransaction(readOnly: true);
        T result = read();
        snapshot.Commit();
        return result;
    }

    /// <summary>Runs <paramref name="write"/> in the open transaction, or in a transaction of its own committed at the end.</summary>
    internal void InWriteTransaction(Action write)
    {
        if (IsReadOnly) throw new InvalidOperationException($"store '{Path}' was opened read-only");
        if (Transaction is not null)
        {
            write();
            return;
        }
        using var transaction = BeginTransaction();
        write();
        transaction.Commit();
    }

    public IngestedFile? GetFile(string key)
    {
        using var command = Command("SELECT path, content_hash, title, passage_count, state FROM files WHERE path = $path");
        command.Parameters.AddWithValue("$path", key);
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadFile(reader) : null;
    }

    public IReadOnlyList<IngestedFile> ListFiles()
    {
        using var command = Command("SELECT path, content_hash, title, passage_count, state FROM files ORDER BY path");
        using var reader = command.ExecuteReader();
        var files = new List<IngestedFile>();
        while (reader.Read()) files.Add(ReadFile(reader));
        return files;
    }

    public void PutFile(IngestedFile file)
    {
        using var command = Command("""
            INSERT INTO files (path, content_hash, title, passage_count, state, updated_at)
            VALUES ($path, $hash, $title, $count, $state, $now)
            ON CONFLICT (path) DO UPDATE SET content_hash = $hash, title = $title, passage_count = $count, state = $state, updated_at = $now
            """);
        command.Parameters.AddWithValue("$path", file.Key);
        command.Parameters.AddWithValue("$hash", file.ContentHash);
        command.Parameters.AddWithValue("$title", file.Title);
        command.Parameters.AddWithValue("$count", file.PassageCount);
        command.Parameters.AddWithValue("$state", file.State == IngestedFileState.Complete ? "complete" : "ingesting");
        command.Parameters.AddWithValue("$now", DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture));
        command.ExecuteNonQuery();
    }

    public void RemoveFile(string key)
    {
        using var command = Command("DELETE FROM files WHERE path = $path");
        command.Parameters.AddWithValue("$path", key);
        command.ExecuteNonQuery();
    }

    /// <summary>Everything that must hold between the ledger, the passages and the full-text index; empty when consistent.</summary>
    public IReadOnlyList<string> CheckConsistency()
    {
        var problems = new List<string>();
        string integrity = (string)Scalar("PRAGMA integrity_check")!;
        if (integrity != "ok") problems.Add($"SQLite integrity check: {integrity}");
        try
        {
            // FTS5's check is an INSERT (it writes nothing): a read-only store runs it on a connection of its own, rolled back.
            using var writable = IsReadOnly ? Connect(Path, SqliteOpenMode.ReadWrite) : null;
            using var transaction = writable?.BeginTransaction();
            using var fts = (writable ?? Connection).CreateCommand();
            fts.CommandText = "INSERT INTO passages_fts (passages_fts, rank) VALUES ('integrity-check', 1)";
            fts.Transaction = transaction ?? Transaction;
            fts.ExecuteNonQuery();
        }
        catch (SqliteException e)
        {
            problems.Add($"full-text index differs from the passages: {e.Message}");
        }
        AddRows(problems, """
            SELECT 'passage ' || p.position || ' of ' || p.file || ' belongs to no ingested version of the file'
            FROM passages p LEFT JOIN files f ON f.path = p.file AND f.content_hash = p.content_hash WHERE f.path IS NULL
            """);
        AddRows(problems, """
            SELECT f.path || ': ' || f.state || ' with ' || COUNT(p.rowid) || ' of ' || f.passage_count || ' passages'
            FROM files f LEFT JOIN passages p ON p.file = f.path AND p.content_hash = f.content_hash
            GROUP BY f.path
            HAVING (f.state = 'complete' AND COUNT(p.rowid) <> f.passage_count) OR COUNT(p.rowid) > f.passage_count
            """);
        AddRows(problems, """
            SELECT file || ': position ' || position || ' stored ' || COUNT(*) || ' times' FROM passages
            GROUP BY file, content_hash, position HAVING COUNT(*) > 1
            """);
        AddRows(problems, $"""
            SELECT 'passage ' || p.position || ' of ' || p.file || CASE WHEN v.rowid IS NULL THEN ': no vector'
                ELSE ': vector of ' || (length(v.embedding) / 4) || ' floats, not {Model.Dimensions}' END
            FROM passages p LEFT JOIN passage_vectors v ON v.rowid = p.rowid
            WHERE v.rowid IS NULL OR length(v.embedding) <> {Model.Dimensions * 4}
            """);
        AddRows(problems, "SELECT 'vector ' || v.rowid || ' belongs to no passage' FROM passage_vectors v LEFT JOIN passages p ON p.rowid = v.rowid WHERE p.rowid IS NULL");
        return problems;
    }

    internal SqliteCommand Command(string sql)
    {
        var command = Connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = Transaction;
        return command;
    }

    private object? Scalar(string sql)
    {
        using var command = Command(sql);
        return command.ExecuteScalar();
    }

    private void AddRows(List<string> problems, string sql)
    {
        using var command = Command(sql);
        using var reader = command.ExecuteReader();
        while (reader.Read()) problems.Add(reader.GetString(0));
    }

    private static IngestedFile ReadFile(SqliteDataReader reader) => new(
        reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3),
        reader.GetString(4) == "complete" ? IngestedFileState.Complete : IngestedFileState.Ingesting);

    private static SqliteConnection Connect(string path, SqliteOpenMode mode)
    {
        // No pooling: a closed store releases its file at once (tests and the next command may replace it).
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path, Mode = mode, Pooling = false, DefaultTimeout = 30,
        }.ToString());
        connection.Open();
        return connection;
    }

    // Reads the first bytes ourselves: SQLite's own error for a foreign file ("file is not a database") names neither file nor cause.
    private static void RequireSqliteHeader(string path, bool allowEmpty)
    {
        var header = new byte[SqliteHeader.Length];
        int read;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
            read = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        if (read == 0 && allowEmpty) return;
        if (read < header.Length || !header.AsSpan().SequenceEqual(SqliteHeader))
            throw new StoreFormatException($"'{path}' is not a LlamaGen RAG store: it is not an SQLite database" +
                (read == 0 ? " (the file is empty)" : $" (it starts with {Convert.ToHexString(header, 0, Math.Min(read, 8))})"));
    }

    private static bool IsEmptyDatabase(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM sqlite_master";
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture) == 0;
    }

    private static void Initialize(SqliteConnection connection, EmbeddingModelIdentity model)
    {
        using var transaction = connection.BeginTransaction();
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = RagStoreSchema.Create + """

            INSERT INTO meta (key, value) VALUES
                ('format', $format), ('schema_version', $version), ('store_id', $id), ('generation', 0),
                ('model_id', $model), ('pooling', $pooling), ('dimensions', $dimensions), ('created_at', $now);
            """;
        command.Parameters.AddWithValue("$format", RagStoreSchema.FormatId);
        command.Parameters.AddWithValue("$version", RagStoreSchema.Version);
        command.Parameters.AddWithValue("$id", Guid.NewGuid().ToString("N"));
        command.Parameters.AddWithValue("$model", model.ModelId);
        command.Parameters.AddWithValue("$pooling", model.Pooling);
        command.Parameters.AddWithValue("$dimensions", model.Dimensions);
        command.Parameters.AddWithValue("$now", DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture));
        command.ExecuteNonQuery();
        transaction.Commit();
    }

    private static (Guid StoreId, EmbeddingModelIdentity Model) ReadMeta(SqliteConnection connection, string path)
    {
        var meta = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT key, value FROM meta";
            using var reader = command.ExecuteReader();
            while (reader.Read()) meta[reader.GetString(0)] = Convert.ToString(reader.GetValue(1), CultureInfo.InvariantCulture)!;
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 1 /* SQLITE_ERROR: no such table / column */)
        {
            throw new StoreFormatException($"'{path}' is an SQLite database but not a LlamaGen RAG store (it has no 'meta' table with format '{RagStoreSchema.FormatId}')");
        }
        catch (SqliteException e) when (e.SqliteErrorCode is 26 /* SQLITE_NOTADB */ or 11 /* SQLITE_CORRUPT */)
        {
            throw new StoreFormatException($"'{path}' is not a LlamaGen RAG store: {e.Message}");
        }
        if (!meta.TryGetValue("format", out string? format) || format != RagStoreSchema.FormatId)
            throw new StoreFormatException($"'{path}' is an SQLite database but not a LlamaGen RAG store (meta 'format' is {(format is null ? "missing" : $"'{format}'")}, expected '{RagStoreSchema.FormatId}')");
        int version = int.Parse(Required(meta, "schema_version", path), CultureInfo.InvariantCulture);
        if (version > RagStoreSchema.Version)
            throw new StoreFormatException($"'{path}' was written by a newer llamagen-rag (store schema {version}; this version reads up to {RagStoreSchema.Version})");
        var model = new EmbeddingModelIdentity(
            Required(meta, "model_id", path), Required(meta, "pooling", path),
            int.Parse(Required(meta, "dimensions", path), CultureInfo.InvariantCulture));
        return (Guid.ParseExact(Required(meta, "store_id", path), "N"), model);
    }

    private static string Required(Dictionary<string, string> meta, string key, string path) =>
        meta.TryGetValue(key, out string? value) ? value : throw new StoreFormatException($"'{path}': LlamaGen RAG store without the meta '{key}' entry (damaged store)");

    // WAL: readers (ask) never block the writer (ingest), and a kill loses only the uncommitted batch.
    // synchronous=NORMAL is durable against process death (kill -9), which is what an interrupted ingest needs.
    private static void ConfigureForWriting(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;";
        command.ExecuteNonQuery();
    }

    public void Dispose() => Connection.Dispose();
}
