using LlamaGen.Rag.Storage;
using LlamaGen.Rag.VectorData;

namespace LlamaGen.Rag.Tests.Support;

/// <summary>Stores and records for the store tests.</summary>
public static class TestStores
{
    public static readonly EmbeddingModelIdentity Model = new("test-model:1", "mean", 8);

    public static PassageRecord Record(string file, int position, float[] vector, string text = "some text", string hash = "h1") => new()
    {
        Id = PassageKey.For(file, hash, position),
        File = file,
        Title = "Title of " + file,
        Position = position,
        Page = file.EndsWith(".pdf", StringComparison.Ordinal) ? 1 : null,
        Start = position * 10,
        Length = text.Length,
        TokenCount = 3,
        ContentHash = hash,
        Text = text,
        Embedding = vector,
    };

    public static float[] RandomVector(Random random, int dimensions) =>
        Enumerable.Range(0, dimensions).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
}
