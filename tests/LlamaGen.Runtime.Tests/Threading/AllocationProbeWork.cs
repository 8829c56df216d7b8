using LlamaGen.Kernels;

namespace LlamaGen.Runtime.Tests.Threading;

/// <summary>
/// Records, for every thread that runs one of its chunks, that thread's allocated-byte counter (indexed by managed
/// thread id). Waits for all threads to join first, so every worker is measured.
/// </summary>
internal readonly struct AllocationProbeWork(WorkerRendezvous rendezvous, long[] allocatedByThread) : IRowWork
{
    public void Execute(int rowStart, int rowEnd)
    {
        rendezvous.Arrive();
        allocatedByThread[Environment.CurrentManagedThreadId] = GC.GetAllocatedBytesForCurrentThread();
    }
}
