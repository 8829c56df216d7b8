namespace LlamaGen.Runtime.Tests.Threading;

/// <summary>
/// Makes chunks wait (up to a timeout) until a given number of distinct threads have entered the job, so a test
/// can be sure chunks ran on worker threads and not only on the caller. Lock-free and allocation-free, so the
/// allocation tests can use it on the workers.
/// </summary>
internal sealed class WorkerRendezvous(int threads)
{
    private readonly int[] arrivedIds = new int[threads];
    private int arrived;

    public bool Complete => Volatile.Read(ref arrived) >= threads;

    public void Arrive()
    {
        int id = Environment.CurrentManagedThreadId;
        // Only this thread ever writes its own id, so checking before adding cannot race with itself.
        if (Array.IndexOf(arrivedIds, id, 0, Math.Min(Volatile.Read(ref arrived), threads)) < 0)
        {
            int slot = Interlocked.Increment(ref arrived) - 1;
            if (slot < threads) Volatile.Write(ref arrivedIds[slot], id);
        }
        long deadline = Environment.TickCount64 + 5000;
        while (!Complete && Environment.TickCount64 < deadline) Thread.Yield();
    }
}
