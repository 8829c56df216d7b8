namespace LlamaGen.Rag.Storage;

/// <summary>The SQL of a store, version <see cref="Version"/>.</summary>
internal static class RagStoreSchema
{
    /// <summary>The <c>meta</c> row that says "this is a LlamaGen RAG store"; any other value (or none) is refused.</summary>
    public const string FormatId = "llamagen-rag-store";

    /// <summary>Bumped on any change a reader of the previous version would misread; older stores are upgraded, newer ones refused.</summary>
    public const int Version = 1;

    public const string Create = """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value NOT NULL) WITHOUT ROWID;

        -- The ingest ledger: one row per file, its content hash and whether all its passages are stored.
        CREATE TABLE files (
            path TEXT PRIMARY KEY,
            content_hash TEXT NOT NULL,
            title TEXT NOT NULL,
            passage_count INTEGER NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('ingesting', 'complete')),
            updated_at TEXT NOT NULL
        ) WITHOUT ROWID;

        -- Passages; the rowid is the key of the vectors and of the approximate index.
        CREATE TABLE passages (
            rowid INTEGER PRIMARY KEY,
            id BLOB NOT NULL UNIQUE,
            file TEXT NOT NULL,
            title TEXT NOT NULL,
            position INTEGER NOT NULL,
            page INTEGER,
            start_char INTEGER NOT NULL,
            length INTEGER NOT NULL,
            token_count INTEGER NOT NULL,
            content_hash TEXT NOT NULL,
            text TEXT NOT NULL
        );
        CREATE INDEX passages_by_file ON passages (file, position);

        -- The vectors (float32 little-endian BLOBs), apart from the text: loading them for exact search then reads
        -- dimensions x 4 bytes a passage instead of whole passage rows (a quarter of the pages at 64 dimensions).
        CREATE TABLE passage_vectors (rowid INTEGER PRIMARY KEY, embedding BLOB NOT NULL);

        -- BM25 over title and text; external content, kept equal to passages by the triggers below.
        CREATE VIRTUAL TABLE passages_fts USING fts5 (
            title, text, content = 'passages', content_rowid = 'rowid', tokenize = 'porter unicode61 remove_diacritics 2');

        -- Every change to passages bumps the generation, so an approximate index built at another generation is never used.
        CREATE TRIGGER passages_inserted AFTER INSERT ON passages BEGIN
            INSERT INTO passages_fts (rowid, title, text) VALUES (new.rowid, new.title, new.text);
            UPDATE meta SET value = value + 1 WHERE key = 'generation';
        END;
        CREATE TRIGGER passages_deleted AFTER DELETE ON passages BEGIN
            INSERT INTO passages_fts (passages_fts, rowid, title, text) VALUES ('delete', old.rowid, old.title, old.text);
            DELETE FROM passage_vectors WHERE rowid = old.rowid;
            UPDATE meta SET value = value + 1 WHERE key = 'generation';
        END;
        CREATE TRIGGER passage_vectors_inserted AFTER INSERT ON passage_vectors BEGIN
            UPDATE meta SET value = value + 1 WHERE key = 'generation';
        END;
        CREATE TRIGGER passage_vectors_updated AFTER UPDATE ON passage_vectors BEGIN
            UPDATE meta SET value = value + 1 WHERE key = 'generation';
        END;
        CREATE TRIGGER passages_updated AFTER UPDATE ON passages BEGIN
            INSERT INTO passages_fts (passages_fts, rowid, title, text) VALUES ('delete', old.rowid, old.title, old.text);
            INSERT INTO passages_fts (rowid, title, text) VALUES (new.rowid, new.title, new.text);
            UPDATE meta SET value = value + 1 WHERE key = 'generation';
        END;
        """;
}
