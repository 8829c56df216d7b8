using Microsoft.Data.Sqlite;

namespace LlamaGen.Rag.Storage;

/// <summary>One batch's transaction on a <see cref="RagStore"/>: commit it, or dispose it to roll back.</summary>
public sealed class StoreTransaction : IDisposable
{
    private readonly RagStore _store;
    private readonly SqliteTransaction _transaction;

    internal StoreTransaction(RagStore store, SqliteTransaction transaction)
    {
        _store = store;
        _transaction = transaction;
    }

    public void Commit() => _transaction.Commit();

    public void Dispose()
    {
        _transaction.Dispose();
        _store.EndTransaction();
    }
}
