namespace LlamaGen.Rag.VectorData;

/// <summary>A translated filter: a WHERE condition over <c>passages</c> and its parameter values.</summary>
internal sealed record SqlFilter(string Condition, IReadOnlyList<KeyValuePair<string, object?>> Parameters)
{
    public static readonly SqlFilter None = new("1", []);
}
