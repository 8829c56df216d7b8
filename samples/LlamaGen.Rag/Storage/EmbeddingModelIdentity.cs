namespace LlamaGen.Rag.Storage;

/// <summary>What made a store's vectors. Vectors of another model, pooling or size are not comparable, so a store refuses them.</summary>
/// <param name="ModelId">Identifies the model file (name and a fingerprint of its contents), not just its path.</param>
/// <param name="Pooling">How token states became one vector ("mean", "last", "cls", ...).</param>
/// <param name="Dimensions">Length of every vector.</param>
public sealed record EmbeddingModelIdentity(string ModelId, string Pooling, int Dimensions)
{
    public override string ToString() => $"model '{ModelId}' (pooling {Pooling}, {Dimensions} dimensions)";
}
