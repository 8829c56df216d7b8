using LlamaGen.Kernels;

namespace LlamaGen.Runtime.Tests.Threading;

/// <summary>
/// Waits until two threads share the job, then throws from the chunks of the chosen side (the calling thread or a
/// worker) and counts the rows of the chunks that did not throw.
/// </summary>
internal readonly struct ThrowingWork(WorkerRendezvous rendezvous, int callerThread, bool throwOnWorker, int[] completedRows) : IRowWork
{
    public const string Message = "chunk failed on purpose";

    public void Execute(int rowStart, int rowEnd)
    {
        rendezvous.Arrive();
        bool onCaller = Environment.CurrentManagedThreadId == callerThread;
        if (onCaller != throwOnWorker) throw new ArithmeticException($"{Message} ({(onCaller ? "caller" : "worker")}, rows {rowStart}..{rowEnd})");
        Interlocked.Add(ref completedRows[0], rowEnd - rowStart);
    }
}
