namespace LlamaGen.Rag.Storage;

/// <summary>A store's vectors were made by another model or pooling than the one given: searching them with it would return noise.</summary>
public sealed class StoreModelMismatchException(string storePath, EmbeddingModelIdentity stored, EmbeddingModelIdentity given)
    : Exception($"store '{storePath}' holds vectors of {stored}; --model gives {given}: ask with the model that ingested it, or ingest into a new store")
{
    public EmbeddingModelIdentity Stored { get; } = stored;
    public EmbeddingModelIdentity Given { get; } = given;
}
