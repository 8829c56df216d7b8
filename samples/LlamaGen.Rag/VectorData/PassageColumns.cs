namespace LlamaGen.Rag.VectorData;

/// <summary>Where each <see cref="PassageRecord"/> property lives in the <c>passages</c> table.</summary>
internal static class PassageColumns
{
    public const string Select = "rowid, id, file, title, position, page, start_char, length, token_count, content_hash, text";

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
