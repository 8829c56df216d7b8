using LlamaGen.Rag.Chunking;
using LlamaGen.Rag.Documents;
using LlamaGen.Rag.Storage;

namespace LlamaGen.Rag.Ingestion;

/// <summary>One file an ingest must (re)write: its new content cut into passages, and what the ledger held for it before.</summary>
internal sealed class FilePlan(CorpusFile file, string contentHash, SourceDocument document, IReadOnlyList<TextChunk> chunks, IngestedFile? previous)
{
    public CorpusFile File { get; } = file;
    public string ContentHash { get; } = contentHash;
    public SourceDocument Document { get; } = document;
    public IReadOnlyList<TextChunk> Chunks { get; } = chunks;

    /// <summary>The ledger row before this run: another version to delete, or this version half-written by an interrupted run.</summary>
    public IngestedFile? Previous { get; } = previous;

    /// <summary>An interrupted run already wrote this version's ledger row and some passages.</summary>
    public bool IsResume => Previous is { State: IngestedFileState.Ingesting } p && p.ContentHash == ContentHash && p.PassageCount == Chunks.Count;

    /// <summary>Set once the ledger row of this version is written (in the transaction of the file's first batch).</summary>
    public bool Started { get; set; }

    /// <summary>Passages still to embed in this run.</summary>
    public int Remaining { get; set; }

    public IngestedFile LedgerRow(IngestedFileState state) => new(File.Key, ContentHash, Document.Title, Chunks.Count, state);
}
