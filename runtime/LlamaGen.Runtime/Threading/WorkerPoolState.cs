using System.Runtime.InteropServices;

namespace LlamaGen.Threading;

/// <summary>
/// The fields <see cref="WorkerPool"/> shares between the calling thread and its workers. The three that are written
/// while a job runs (the chunk ticket, the completed-chunk count, the sleeper count) sit 128 bytes apart, so a thread
/// taking a chunk does not invalidate the cache line another is polling (128, not 64: Intel's adjacent-line
/// prefetcher pulls lines in pairs). The job's parameters are written once per job and only read while it runs.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 512)]
internal unsafe struct WorkerPoolState
{
    /// <summary>
    /// Epoch (high 32 bits) and next chunk index (low 32 bits), claimed by compare-and-swap. Each epoch's values
    /// appear once, so a successful swap proves the job did not change between reading the ticket and taking it.
    /// </summary>
    [FieldOffset(0)] public long Ticket;

    /// <summary>Chunks of the current job that have finished (or were skipped after a failure).</summary>
    [FieldOffset(128)] public int CompletedChunks;

    /// <summary>Workers that are about to block or are blocked; the caller signals only when it is non-zero.</summary>
    [FieldOffset(256)] public int Sleepers;

    [FieldOffset(384)] public delegate*<void*, int, int, void> Work;
    [FieldOffset(392)] public void* State;
    [FieldOffset(400)] public int Rows;
    [FieldOffset(404)] public int ChunkRows;
    [FieldOffset(408)] public int ChunkCount;
}
