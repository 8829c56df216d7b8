namespace LlamaGen.Rag.VectorData;

/// <summary>Where each <see cref="PassageRecord"/> property lives in the <c>passages</c> table.</summary>
internal static class PassageColumns
{
    /// <summary>The columns <c>ReadRecord</c> reads, from <see cref="From"/> (passages as <c>p</c>, their vectors as <c>v</c>).</summary>
    public const string Select = "p.rowid, p.id, p.file, p.title, p.position, p.page, p.start_char, p.length, p.token_count, p.content_hash, p.text";

    public const string From = "passages p";

    public const string FromWithVectors = "passages p JOIN passage_vectors v ON v.rowid = p.rowid";

    public static readonly IReadOnlyDictionary<string, string> ByProperty = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [nameof(PassageRecord.Id)] = "id",
        [nameof(PassageRecord.File)] = "file",
        [nameof(PassageRecord.Title)] = "title",
        [nameof(PassageRecord.Position)] = "position",
        [nameof(PassageRecord.Page)] = "page",
        [nameof(PassageRecord.Start)] = "start_char",
        [nameof(PassageRecord.Length)] = "length",
        [nameof(PassageRecord.TokenCount)] = "token_count",
        [nameof(PassageRecord.ContentHash)] = "content_hash",
        [nameof(PassageRecord.Text)] = "text",
    };
}
