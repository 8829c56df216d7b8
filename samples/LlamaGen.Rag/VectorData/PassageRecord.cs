namespace LlamaGen.Rag.VectorData;

/// <summary>
/// One passage as any <c>Microsoft.Extensions.VectorData</c> connector stores it. The vector's size depends on the
/// model, so the schema is given by <see cref="PassageRecordDefinition.For"/> rather than by attributes (whose
/// dimensions would have to be a compile-time constant).
/// </summary>
public sealed class PassageRecord
{
    /// <summary>Derived from file, content hash and position (<see cref="PassageKey"/>): re-ingesting the same content writes the same keys.</summary>
    public Guid Id { get; set; }

    /// <summary>The file's ledger key: its path relative to the store's folder, '/' separators.</summary>
    public string File { get; set; } = "";

    public string Title { get; set; } = "";

    /// <summary>0-based ordinal of the passage in its file.</summary>
    public int Position { get; set; }

    /// <summary>1-based PDF page where the passage starts; null for other formats.</summary>
    public int? Page { get; set; }

    /// <summary>Offset of the passage in the file's extracted text.</summary>
    public int Start { get; set; }

    public int Length { get; set; }

    public int TokenCount { get; set; }

    /// <summary>SHA-256 of the file version the passage was cut from.</summary>
    public string ContentHash { get; set; } = "";

    public string Text { get; set; } = "";

    /// <summary>The passage's embedding; empty when a read did not ask for vectors.</summary>
    public ReadOnlyMemory<float> Embedding { get; set; }
}
