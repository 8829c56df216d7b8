namespace LlamaGen.Rag.Documents;

/// <summary>A file could not be read as its extension says (corrupt PDF, invalid UTF-8, permission): it is skipped with a warning naming it.</summary>
public sealed class DocumentReadException(string path, string reason, Exception? inner = null)
    : Exception($"'{path}': {reason}", inner)
{
    /// <summary>The file that could not be read.</summary>
    public string Path { get; } = path;

    /// <summary>Why, without the path.</summary>
    public string Reason { get; } = reason;
}
