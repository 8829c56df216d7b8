namespace LlamaGen.Rag.Storage;

/// <summary>Where a file's ingest stands.</summary>
public enum IngestedFileState
{
    /// <summary>Some of its passages are committed (an ingest was interrupted); the next run adds the rest.</summary>
    Ingesting,

    /// <summary>All <see cref="IngestedFile.PassageCount"/> passages of this content hash are stored.</summary>
    Complete,
}
