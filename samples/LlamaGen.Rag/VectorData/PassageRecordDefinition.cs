using Microsoft.Extensions.VectorData;

namespace LlamaGen.Rag.VectorData;

/// <summary>The schema of <see cref="PassageRecord"/> for a model's vector size, as every connector takes it.</summary>
public static class PassageRecordDefinition
{
    /// <summary>The collection name the sample uses in every store.</summary>
    public const string CollectionName = "passages";

    public static VectorStoreCollectionDefinition For(int dimensions) => new()
    {
        Properties =
        [
            new VectorStoreKeyProperty(nameof(PassageRecord.Id), typeof(Guid)),
            new VectorStoreDataProperty(nameof(PassageRecord.File), typeof(string)) { IsIndexed = true },
            new VectorStoreDataProperty(nameof(PassageRecord.Title), typeof(string)) { IsFullTextIndexed = true },
            new VectorStoreDataProperty(nameof(PassageRecord.Position), typeof(int)) { IsIndexed = true },
            new VectorStoreDataProperty(nameof(PassageRecord.Page), typeof(int?)),
            new VectorStoreDataProperty(nameof(PassageRecord.Start), typeof(int)),
            new VectorStoreDataProperty(nameof(PassageRecord.Length), typeof(int)),
            new VectorStoreDataProperty(nameof(PassageRecord.TokenCount), typeof(int)),
            new VectorStoreDataProperty(nameof(PassageRecord.ContentHash), typeof(string)) { IsIndexed = true },
            new VectorStoreDataProperty(nameof(PassageRecord.Text), typeof(string)) { IsFullTextIndexed = true },
            new VectorStoreVectorProperty(nameof(PassageRecord.Embedding), typeof(ReadOnlyMemory<float>), dimensions)
            {
                DistanceFunction = DistanceFunction.CosineSimilarity,
                IndexKind = IndexKind.Hnsw,
            },
        ],
    };
}
