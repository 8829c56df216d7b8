using System.Linq.Expressions;
using System.Runtime.CompilerServices;
using LlamaGen.Rag.Retrieval;
using LlamaGen.Rag.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData;

namespace LlamaGen.Rag.VectorData;

/// <summary>
/// The passages of a <see cref="RagStore"/> as a <c>Microsoft.Extensions.VectorData</c> collection: upsert, get, delete,
/// filtered get, vector search (cosine: exact with TensorPrimitives below <see cref="ApproximateSearchOptions.ThresholdFor"/>
/// passages, HNSW through USearch above it, candidates rescored exactly from the rows) and hybrid search (BM25 from FTS5
/// and the vector ranking, fused as <see cref="HybridFusion"/> says). Writes join the store's open batch transaction.
/// </summary>
public sealed class SqlitePassageCollection : VectorStoreCollection<Guid, PassageRecord>,
    IKeywordHybridSearchable<PassageRecord>, IPassageKeywordSearch
{
    private readonly RagStore _store;
    private readonly ApproximateSearchOptions _approximate;
    private readonly IEmbeddingGenerator<string, Embedding<float>>? _embeddingGenerator;
    private readonly HybridFusionOptions _fusion;
    private VectorMatrix? _matrix;
    private ApproximateIndex? _index;
    private (long Generation, long Count) _count = (-1, 0);

    public SqlitePassageCollection(RagStore store, ApproximateSearchOptions? approximate = null,
        IEmbeddingGenerator<string, Embedding<float>>? embeddingGenerator = null, HybridFusionOptions? fusion = null)
    {
        _store = store;
        _approximate = approximate ?? new ApproximateSearchOptions();
        _embeddingGenerator = embeddingGenerator;
        _fusion = fusion ?? HybridFusionOptions.Default;
        _fusion.Validate();
    }

    public override string Name => PassageRecordDefinition.CollectionName;

    public int Dimensions => _store.Model.Dimensions;

    /// <summary>How <see cref="HybridSearchAsync"/> combines its two rankings.</summary>
    public HybridFusionOptions Fusion => _fusion;

    /// <summary>How many rows a ranking inside hybrid search contributes before fusion.</summary>
    public static int FusionDepth(int top) => Math.Max(50, top * 4);

    // COUNT(*) walks the whole table in SQLite: counted once per generation.
    public long Count() => _store.InSnapshot(() =>
    {
        long generation = _store.Generation;
        if (_count.Generation != generation)
        {
            using var command = _store.Command("SELECT COUNT(*) FROM passage_vectors");
            _count = (generation, (long)command.ExecuteScalar()!);
        }
        return _count.Count;
    });

    /// <summary>True when a search without filter goes through the HNSW index at the store's current size.</summary>
    public bool UsesApproximateIndex => Count() >= _approximate.ThresholdFor(Dimensions);

    /// <summary>Builds and saves the HNSW index of the current generation when the store is past the threshold (ingest calls this once at the end).</summary>
    public void PrepareApproximateIndex() => _store.InSnapshot(() => UsesApproximateIndex ? EnsureIndex() : null);

    public override Task<bool> CollectionExistsAsync(CancellationToken cancellationToken = default) => Task.FromResult(true);

    // The table is created with the store: there is nothing else to create.
    public override Task EnsureCollectionExistsAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    /// <summary>Removes every passage and, since they describe those passages, every ledger row.</summary>
    public override Task EnsureCollectionDeletedAsync(CancellationToken cancellationToken = default)
    {
        _store.InWriteTransaction(() =>
        {
            using var command = _store.Command("DELETE FROM passages; DELETE FROM files;");
            command.ExecuteNonQuery();
        });
        return Task.CompletedTask;
    }

    public override Task<PassageRecord?> GetAsync(Guid key, RecordRetrievalOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var command = _store.Command($"SELECT {SelectColumns(options?.IncludeVectors == true)} WHERE p.id = $id");
        command.Parameters.AddWithValue("$id", key.ToByteArray());
        using var reader = command.ExecuteReader();
        return Task.FromResult(reader.Read() ? ReadRecord(reader, options?.IncludeVectors == true) : null);
    }

    public override async IAsyncEnumerable<PassageRecord> GetAsync(IEnumerable<Guid> keys, RecordRetrievalOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var key in keys)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (await GetAsync(key, options, cancellationToken) is { } record)
                yield return record;
        }
    }

    public override async IAsyncEnumerable<PassageRecord> GetAsync(Expression<Func<PassageRecord, bool>> filter, int top,
        FilteredRecordRetrievalOptions<PassageRecord>? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        var where = PassageFilterTranslator.Translate(filter, table: "p");
        bool vectors = options?.IncludeVectors == true;
        using var command = _store.Command(
            $"SELECT {SelectColumns(vectors)} WHERE {where.Condition} ORDER BY {OrderBy(options)} LIMIT $top OFFSET $skip");
        AddParameters(command, where);
        command.Parameters.AddWithValue("$top", top);
        command.Parameters.AddWithValue("$skip", options?.Skip ?? 0);
        var records = new List<PassageRecord>();
        using (var reader = command.ExecuteReader())
            while (reader.Read()) records.Add(ReadRecord(reader, vectors));
        foreach (var record in records)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return record;
        }
        await Task.CompletedTask;
    }

    public override Task DeleteAsync(Guid key, CancellationToken cancellationToken = default) => DeleteAsync([key], cancellationToken);

    public override Task DeleteAsync(IEnumerable<Guid> keys, CancellationToken cancellationToken = default)
    {
        _store.InWriteTransaction(() =>
        {
            using var command = _store.Command("DELETE FROM passages WHERE id = $id");
            var id = command.Parameters.Add("$id", SqliteType.Blob);
            foreach (var key in keys)
            {
                cancellationToken.ThrowIfCancellationRequested();
                id.Value = key.ToByteArray();
                command.ExecuteNonQuery();
            }
        });
        return Task.CompletedTask;
    }

    public override Task UpsertAsync(PassageRecord record, CancellationToken cancellationToken = default) => UpsertAsync([record], cancellationToken);

    public override Task UpsertAsync(IEnumerable<PassageRecord> records, CancellationToken cancellationToken = default)
    {
        _store.InWriteTransaction(() =>
        {
            // RETURNING gives the rowid on both paths of the upsert (last_insert_rowid() would not on the update path).
            using var command = _store.Command("""
                INSERT INTO passages (id, file, title, position, page, start_char, length, token_count, content_hash, text)
                VALUES ($id, $file, $title, $position, $page, $start, $length, $tokens, $hash, $text)
                ON CONFLICT (id) DO UPDATE SET file = excluded.file, title = excluded.title, position = excluded.position,
                    page = excluded.page, start_char = excluded.start_char, length = excluded.length, token_count = excluded.token_count,
                    content_hash = excluded.content_hash, text = excluded.text
                RETURNING rowid
                """);
            using var vector = _store.Command(
                "INSERT INTO passage_vectors (rowid, embedding) VALUES ($rowid, $embedding) ON CONFLICT (rowid) DO UPDATE SET embedding = excluded.embedding");
            var rowId = vector.Parameters.Add("$rowid", SqliteType.Integer);
            var embedding = vector.Parameters.Add("$embedding", SqliteType.Blob);
            foreach (var record in records)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (record.Id == Guid.Empty)
                    throw new ArgumentException($"passage {record.Position} of '{record.File}' has no Id (keys are not generated: use PassageKey.For)", nameof(records));
                if (record.Embedding.Length != Dimensions)
                    throw new ArgumentException($"passage {record.Position} of '{record.File}': vector of {record.Embedding.Length} floats, the store holds {Dimensions} ({_store.Model})", nameof(records));
                command.Parameters.Clear();
                command.Parameters.AddWithValue("$id", record.Id.ToByteArray());
                command.Parameters.AddWithValue("$file", record.File);
                command.Parameters.AddWithValue("$title", record.Title);
                command.Parameters.AddWithValue("$position", record.Position);
                command.Parameters.AddWithValue("$page", (object?)record.Page ?? DBNull.Value);
                command.Parameters.AddWithValue("$start", record.Start);
                command.Parameters.AddWithValue("$length", record.Length);
                command.Parameters.AddWithValue("$tokens", record.TokenCount);
                command.Parameters.AddWithValue("$hash", record.ContentHash);
                command.Parameters.AddWithValue("$text", record.Text);
                rowId.Value = (long)command.ExecuteScalar()!;
                embedding.Value = VectorBlob.ToBytes(record.Embedding.Span);
                vector.ExecuteNonQuery();
            }
        });
        return Task.CompletedTask;
    }

    public override async IAsyncEnumerable<VectorSearchResult<PassageRecord>> SearchAsync<TInput>(TInput searchValue, int top,
        VectorSearchOptions<PassageRecord>? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        options ??= new VectorSearchOptions<PassageRecord>();
        RequireEmbeddingProperty(options.VectorProperty);
        float[] query = await QueryVectorAsync(searchValue, cancellationToken);
        var rows = _store.InSnapshot(() => SearchRows(query, top + options.Skip, options.Filter));
        var results = ReadRows(rows.Skip(options.Skip).Where(row => options.ScoreThreshold is not { } min || row.Score >= min).ToList(), options.IncludeVectors);
        foreach (var result in results)
            yield return result;
    }

    /// <summary>BM25 over title and text (FTS5, porter stemming); the score is -bm25, so higher is better.</summary>
    public async IAsyncEnumerable<VectorSearchResult<PassageRecord>> KeywordSearchAsync(IReadOnlyCollection<string> keywords, int top,
        Expression<Func<PassageRecord, bool>>? filter = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        var rows = _store.InSnapshot(() => KeywordRows(keywords, top, filter));
        foreach (var result in ReadRows(rows, includeVectors: false))
            yield return result;
        await Task.CompletedTask;
    }

    /// <summary>
    /// Vector ranking and BM25 ranking of <paramref name="keywords"/>, each <see cref="FusionDepth"/> deep, fused as
    /// <see cref="Fusion"/> says: by normalized scores (<see cref="ConvexScoreFusion"/>, every candidate's cosine exact,
    /// the semantic weight scaled by the store's <see cref="RagStore.FusionWeights"/>) or by reciprocal rank weighted by
    /// those weights. The score is the fused score.
    /// </summary>
    public async IAsyncEnumerable<VectorSearchResult<PassageRecord>> HybridSearchAsync<TInput>(TInput searchValue, ICollection<string> keywords,
        int top, HybridSearchOptions<PassageRecord>? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        where TInput : notnull
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        options ??= new HybridSearchOptions<PassageRecord>();
        RequireEmbeddingProperty(options.VectorProperty);
        float[] query = await QueryVectorAsync(searchValue, cancellationToken);
        int depth = FusionDepth(top + options.Skip);
        var fused = _store.InSnapshot(() =>
        {
            var byVector = SearchRows(query, depth, options.Filter);
            var byKeyword = KeywordRows(keywords.ToList(), depth, options.Filter);
            var calibration = _store.FusionWeights;
            return _fusion.Fusion switch
            {
                HybridFusion.Convex => FuseScores(query, byVector, byKeyword, _fusion.EffectiveSemanticWeight(calibration)),
                HybridFusion.Rrf => ReciprocalRankFusion.Fuse([(byVector.Select(row => row.RowId).ToList(), calibration.Vector),
                    (byKeyword.Select(row => row.RowId).ToList(), calibration.Keyword)]),
                _ => throw new InvalidOperationException($"unknown fusion {_fusion.Fusion}"),
            };
        });
        var chosen = fused.Select(pair => new ScoredRow(pair.Key, pair.Score)).Skip(options.Skip).Take(top)
            .Where(row => options.ScoreThreshold is not { } min || row.Score >= min).ToList();
        foreach (var result in ReadRows(chosen, options.IncludeVectors))
            yield return result;
    }

    // BM25's candidates that the vector ranking did not reach get their exact cosine, not the floor of -1: a passage
    // BM25 ranks first must not lose its semantic score only because 50 others were nearer the question. A vector
    // candidate missing from BM25's list scores 0 there, which is exact for a passage without the question's words
    // and at most the depth-th BM25 score otherwise.
    private IReadOnlyList<(long Key, double Score)> FuseScores(float[] query, List<ScoredRow> byVector, List<ScoredRow> byKeyword, double semanticWeight)
    {
        var semantic = byVector.Select(row => (row.RowId, row.Score)).ToList();
        var reached = byVector.Select(row => row.RowId).ToHashSet();
        semantic.AddRange(Rescore(query, byKeyword.Where(row => !reached.Contains(row.RowId)).Select(row => row.RowId).ToList())
            .Select(row => (row.RowId, row.Score)));
        return ConvexScoreFusion.Fuse(semantic, byKeyword.Select(row => (row.RowId, row.Score)).ToList(), semanticWeight);
    }

    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null) return null;
        if (serviceType == typeof(VectorStoreCollectionMetadata))
            return new VectorStoreCollectionMetadata { VectorStoreSystemName = "sqlite", VectorStoreName = _store.Path, CollectionName = Name };
        if (serviceType == typeof(RagStore)) return _store;
        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _index?.Dispose();
        base.Dispose(disposing);
    }

    private List<ScoredRow> SearchRows(float[] query, int count, Expression<Func<PassageRecord, bool>>? filter)
    {
        if (query.Length != Dimensions)
            throw new ArgumentException($"query vector of {query.Length} floats; the store holds vectors of {Dimensions} ({_store.Model})");
        if (filter is not null)
        {
            // Filtered searches are exact over the matching rows: an HNSW walk would have to over-fetch by an unknown factor.
            var allowed = new HashSet<long>();
            var where = PassageFilterTranslator.Translate(filter, table: "p");
            using var command = _store.Command($"SELECT p.rowid FROM passages p WHERE {where.Condition}");
            AddParameters(command, where);
            using (var reader = command.ExecuteReader())
                while (reader.Read()) allowed.Add(reader.GetInt64(0));
            return EnsureMatrix().Top(query, count, allowed);
        }
        if (Count() < _approximate.ThresholdFor(Dimensions))
            return EnsureMatrix().Top(query, count);
        var candidates = EnsureIndex().Search(query, count);
        return Rescore(query, candidates);
    }

    // The index is built from the rows of its generation, but scores come from the rows themselves: exact cosines, and
    // a row the index names that is not in the table (impossible by the generation check, cheap to guard) is dropped.
    private List<ScoredRow> Rescore(float[] query, IReadOnlyList<long> rowIds)
    {
        var scored = new List<ScoredRow>(rowIds.Count);
        using var command = _store.Command("SELECT embedding FROM passage_vectors WHERE rowid = $rowid");
        var parameter = command.Parameters.Add("$rowid", SqliteType.Integer);
        foreach (long rowId in rowIds)
        {
            parameter.Value = rowId;
            if (command.ExecuteScalar() is byte[] blob)
                scored.Add(new ScoredRow(rowId, CosineVector.Similarity(query, VectorBlob.ToFloats(blob))));
        }
        return scored.OrderByDescending(row => row.Score).ToList();
    }

    private List<ScoredRow> KeywordRows(IReadOnlyCollection<string> keywords, int count, Expression<Func<PassageRecord, bool>>? filter)
    {
        if (keywords.Count == 0) return [];
        var where = PassageFilterTranslator.Translate(filter, table: "p");
        // Title matches weigh half: every passage of a file repeats its title, so the text must decide between them.
        // The filter joins the rows found by MATCH (CROSS JOIN keeps that order): a rowid IN (...) constraint instead
        // would be handed to FTS5, which then runs the whole query once per listed rowid (seconds at 10,000 passages).
        using var command = _store.Command(filter is null
            ? "SELECT rowid, -bm25(passages_fts, 0.5, 1.0) FROM passages_fts WHERE passages_fts MATCH $query ORDER BY bm25(passages_fts, 0.5, 1.0) LIMIT $top"
            : $"""
              SELECT passages_fts.rowid, -bm25(passages_fts, 0.5, 1.0) FROM passages_fts CROSS JOIN passages p ON p.rowid = passages_fts.rowid
              WHERE passages_fts MATCH $query AND {where.Condition}
              ORDER BY bm25(passages_fts, 0.5, 1.0) LIMIT $top
              """);
        command.Parameters.AddWithValue("$query", KeywordExtractor.ToFts5Query(keywords));
        command.Parameters.AddWithValue("$top", count);
        AddParameters(command, where);
        var rows = new List<ScoredRow>();
        using var reader = command.ExecuteReader();
        while (reader.Read()) rows.Add(new ScoredRow(reader.GetInt64(0), reader.GetDouble(1)));
        return rows;
    }

    private VectorMatrix EnsureMatrix()
    {
        long generation = _store.Generation;
        if (_matrix?.Generation != generation)
        {
            using var select = _store.Command("SELECT rowid, embedding FROM passage_vectors");
            _matrix = VectorMatrix.Load(select, generation, Dimensions);
        }
        return _matrix;
    }

    private ApproximateIndex EnsureIndex()
    {
        long generation = _store.Generation;
        if (_index?.Generation == generation) return _index;
        _index?.Dispose();
        _index = ApproximateIndex.TryLoad(_store.Path, _store.StoreId, generation);
        if (_index is null)
        {
            _index = ApproximateIndex.Build(EnsureMatrix(), _approximate);
            // Saved even from a read-only store (the index is a file beside it, not part of the database), so that
            // after an interrupted ingest only the first `ask` pays for the build; a folder that cannot be written
            // only costs the next process the same build.
            try { _index.Save(_store.Path, _store.StoreId); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return _index;
    }

    private List<VectorSearchResult<PassageRecord>> ReadRows(IReadOnlyList<ScoredRow> rows, bool includeVectors)
    {
        if (rows.Count == 0) return [];
        var records = new Dictionary<long, PassageRecord>();
        using (var command = _store.Command($"SELECT {SelectColumns(includeVectors)} WHERE p.rowid IN ({string.Join(", ", rows.Select(row => row.RowId))})"))
        using (var reader = command.ExecuteReader())
            while (reader.Read()) records[reader.GetInt64(0)] = ReadRecord(reader, includeVectors);
        return rows.Where(row => records.ContainsKey(row.RowId))
            .Select(row => new VectorSearchResult<PassageRecord>(records[row.RowId], row.Score)).ToList();
    }

    private async Task<float[]> QueryVectorAsync<TInput>(TInput searchValue, CancellationToken cancellationToken) => searchValue switch
    {
        ReadOnlyMemory<float> memory => memory.ToArray(),
        float[] array => array,
        Embedding<float> embedding => embedding.Vector.ToArray(),
        string text when _embeddingGenerator is not null => (await _embeddingGenerator.GenerateVectorAsync(text, cancellationToken: cancellationToken)).ToArray(),
        string => throw new NotSupportedException("searching by text needs an embedding generator: pass one to SqliteRagVectorStore, or search with a vector"),
        _ => throw new NotSupportedException($"search input of type {typeof(TInput).Name}: give a ReadOnlyMemory<float>, float[], Embedding<float> or (with an embedding generator) a string"),
    };

    private static void RequireEmbeddingProperty(Expression<Func<PassageRecord, object?>>? vectorProperty)
    {
        if (vectorProperty is null) return;
        var body = vectorProperty.Body is UnaryExpression { NodeType: ExpressionType.Convert } convert ? convert.Operand : vectorProperty.Body;
        if (body is not MemberExpression { Member.Name: nameof(PassageRecord.Embedding) })
            throw new NotSupportedException($"vector property '{vectorProperty}': passages have one vector, PassageRecord.Embedding");
    }

    // "columns FROM tables" of a record read, with or without the vector.
    private static string SelectColumns(bool includeVectors) => includeVectors
        ? $"{PassageColumns.Select}, v.embedding FROM {PassageColumns.FromWithVectors}"
        : $"{PassageColumns.Select} FROM {PassageColumns.From}";

    private static string OrderBy(FilteredRecordRetrievalOptions<PassageRecord>? options)
    {
        var sorts = options?.OrderBy?.Invoke(new FilteredRecordRetrievalOptions<PassageRecord>.OrderByDefinition()).Values;
        if (sorts is null || sorts.Count == 0) return "p.rowid";
        return string.Join(", ", sorts.Select(sort =>
        {
            var body = sort.PropertySelector.Body is UnaryExpression { NodeType: ExpressionType.Convert } convert ? convert.Operand : sort.PropertySelector.Body;
            if (body is not MemberExpression member || !PassageColumns.ByProperty.TryGetValue(member.Member.Name, out string? column))
                throw new NotSupportedException($"order by '{sort.PropertySelector}': order by one of {string.Join(", ", PassageColumns.ByProperty.Keys)}");
            return "p." + column + (sort.Ascending ? " ASC" : " DESC");
        })) + ", p.rowid";
    }

    private static void AddParameters(SqliteCommand command, SqlFilter filter)
    {
        foreach (var (name, value) in filter.Parameters)
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
    }

    private static PassageRecord ReadRecord(SqliteDataReader reader, bool includeVectors) => new()
    {
        Id = new Guid((byte[])reader.GetValue(1)),
        File = reader.GetString(2),
        Title = reader.GetString(3),
        Position = reader.GetInt32(4),
        Page = reader.IsDBNull(5) ? null : reader.GetInt32(5),
        Start = reader.GetInt32(6),
        Length = reader.GetInt32(7),
        TokenCount = reader.GetInt32(8),
        ContentHash = reader.GetString(9),
        Text = reader.GetString(10),
        Embedding = includeVectors ? VectorBlob.ToFloats((byte[])reader.GetValue(11)) : ReadOnlyMemory<float>.Empty,
    };
}
