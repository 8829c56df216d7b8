using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using LlamaGen.Kernels;

namespace LlamaGen.Threading;

/// <summary>
/// A persistent pool of worker threads that splits row-parallel work (every matrix-vector product of a forward pass)
/// over the cores, without allocating per call.
/// </summary>
/// <remarks>
/// <para>
/// <b>Dynamic chunks.</b> <c>Run</c> cuts <c>[0, rows)</c> into about <c>ThreadCount × chunksPerThread</c> chunks
/// (each a multiple of the row alignment the kernels need) and hands them out from an atomic counter. The caller takes
/// chunks too. A static equal split would make every product wait for its slowest thread, and when another process
/// takes a core that thread is descheduled for whole time slices (that is how llama.cpp's 2-thread mode collapses);
/// here a descheduled or late worker just takes fewer chunks, and the caller never waits for a worker that has not
/// started: the job is done when all chunks are done, whoever ran them.
/// </para>
/// <para>
/// <b>Epochs.</b> The counter is one 64-bit ticket, epoch in the high half and next chunk in the low half, claimed by
/// compare-and-swap. The caller moves the ticket to "publishing" before it rewrites the job's parameters and to
/// chunk 0 after, and each ticket value occurs once, so a successful swap proves the parameters the worker read belong
/// to the chunk it took: a worker that wakes late can neither run a finished job nor a new job's chunks with the old
/// job's parameters.
/// </para>
/// <para>
/// <b>Spin, then block.</b> Between jobs a worker polls the ticket for <c>spinDuration</c> (a forward pass issues
/// hundreds of products per token, microseconds apart, and waking a blocked thread costs tens of microseconds), then
/// blocks on a monitor. The caller pulses the monitor only when a worker has announced that it is about to block.
/// </para>
/// <para>
/// One job runs at a time: <c>Run</c> is not re-entrant and not meant to be called from two threads at once (it
/// throws <see cref="InvalidOperationException"/> if it is). Work items must not call back into the pool.
/// Dispose the pool: its threads hold a reference to it and block forever otherwise.
/// </para>
/// </remarks>
public sealed unsafe class WorkerPool : IDisposable
{
    /// <summary>Chunks per thread when not given: enough that a thread losing its core costs a few percent, few enough that the claims stay cheap.</summary>
    public const int DefaultChunksPerThread = 8;

    /// <summary>How long an idle worker polls for the next job before it blocks, when not given.</summary>
    public static readonly TimeSpan DefaultSpinDuration = TimeSpan.FromMicroseconds(500);

    // The ticket's chunk index while the caller writes a job's parameters: larger than any chunk count, so no one claims.
    private const int Publishing = int.MaxValue;

    private readonly Thread[] workers;
    private readonly object gate = new();
    private readonly long spinTicks;
    private readonly int chunksPerThread;
    private WorkerPoolState shared;
    private ExceptionDispatchInfo? fault;
    private int running;
    private volatile bool disposed;

    /// <summary>A pool with one thread per processor (<see cref="DefaultThreadCount"/>).</summary>
    public WorkerPool() : this(DefaultThreadCount) { }

    /// <summary>A pool of <paramref name="threadCount"/> threads, the caller included (1 runs everything inline).</summary>
    public WorkerPool(int threadCount) : this(threadCount, DefaultSpinDuration, DefaultChunksPerThread) { }

    /// <summary>
    /// A pool of <paramref name="threadCount"/> threads, the caller included: <c>threadCount - 1</c> workers are started
    /// now and live until <see cref="Dispose"/>. Idle workers poll for <paramref name="spinDuration"/> (zero: block at
    /// once) before blocking. Jobs are cut into at most <c>threadCount × chunksPerThread</c> chunks.
    /// </summary>
    public WorkerPool(int threadCount, TimeSpan spinDuration, int chunksPerThread)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threadCount, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(threadCount, 1024);
        ArgumentOutOfRangeException.ThrowIfLessThan(spinDuration, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunksPerThread, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(chunksPerThread, 1024);

        ThreadCount = threadCount;
        this.chunksPerThread = chunksPerThread;
        spinTicks = (long)(spinDuration.TotalSeconds * Stopwatch.Frequency);
        // Epoch 0 is "no job yet"; the first Run publishes epoch 1.
        shared.Ticket = Pack(0, Publishing);

        workers = new Thread[threadCount - 1];
        for (int i = 0; i < workers.Length; i++)
        {
            workers[i] = new Thread(WorkerLoop)
            {
                IsBackground = true,
                Name = $"LlamaGen worker {i + 1}/{workers.Length}",
            };
            workers[i].Start();
        }
    }

    /// <summary>The thread count a pool gets when none is given: <see cref="Environment.ProcessorCount"/>.</summary>
    public static int DefaultThreadCount => Environment.ProcessorCount;

    /// <summary>Threads that run a job, the caller included.</summary>
    public int ThreadCount { get; }

    /// <summary>The worker threads (not the caller), for tests that check they start and end.</summary>
    internal IReadOnlyList<Thread> Workers => workers;

    /// <summary>
    /// Runs <paramref name="work"/> over rows <c>[0, rows)</c> on the caller and the workers and returns when every row
    /// is done. Each chunk <c>[start, end)</c> has <c>start</c> a multiple of <paramref name="rowAlignment"/> and
    /// <c>end</c> one too, or <paramref name="rows"/>. The first exception a chunk throws is rethrown here once every
    /// other chunk has finished or been skipped; the pool stays usable.
    /// </summary>
    public void Run(delegate*<void*, int, int, void> work, void* state, int rows, int rowAlignment = 1)
    {
        if (work == null) throw new ArgumentNullException(nameof(work));
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfLessThan(rowAlignment, 1);
        ObjectDisposedException.ThrowIf(disposed, this);
        if (rows == 0) return;

        int chunkRows = rows, chunkCount = 1;
        if (ThreadCount > 1) Plan(rows, rowAlignment, ThreadCount * chunksPerThread, out chunkRows, out chunkCount);
        if (chunkCount == 1)
        {
            // One thread or one chunk: no one to share with, so no synchronization at all.
            work(state, 0, rows);
            return;
        }

        if (Interlocked.CompareExchange(ref running, 1, 0) != 0)
            throw new InvalidOperationException(
                "WorkerPool.Run was called while another Run of the same pool is in progress (from inside a work item or from another thread); a pool runs one job at a time.");

        int epoch = unchecked(EpochOf(Volatile.Read(ref shared.Ticket)) + 1);
        // Close the ticket before rewriting the parameters, open it after; see the remarks on epochs.
        Interlocked.Exchange(ref shared.Ticket, Pack(epoch, Publishing));
        shared.Work = work;
        shared.State = state;
        shared.Rows = rows;
        shared.ChunkRows = chunkRows;
        shared.ChunkCount = chunkCount;
        shared.CompletedChunks = 0;
        fault = null;
        // A full fence, ordered before the read of Sleepers: either a worker about to block sees this epoch, or we see it.
        Interlocked.Exchange(ref shared.Ticket, Pack(epoch, 0));
        if (Volatile.Read(ref shared.Sleepers) != 0) WakeWorkers();

        Drain(epoch);

        // Every chunk is taken; wait for the ones still running elsewhere (they read the caller's state).
        var spinner = new SpinWait();
        while (Volatile.Read(ref shared.CompletedChunks) != chunkCount) spinner.SpinOnce(sleep1Threshold: -1);

        var error = fault;
        fault = null;
        Volatile.Write(ref running, 0);
        error?.Throw();
    }

    /// <summary>
    /// Runs <paramref name="work"/>'s <see cref="IRowWork.Execute"/> over rows <c>[0, rows)</c>, as
    /// the function-pointer overload of <c>Run</c> does. The struct is copied once and every
    /// chunk runs on that copy, so changes <c>Execute</c> makes to the struct's own fields are not seen by the caller.
    /// </summary>
    public void Run<TWork>(TWork work, int rows, int rowAlignment = 1) where TWork : struct, IRowWork
    {
        // work is this frame's own copy on the stack, which the GC never moves; Run returns only after every chunk is done.
        Run(&Invoke<TWork>, Unsafe.AsPointer(ref work), rows, rowAlignment);
    }

    /// <summary>Stops and joins the workers. Idempotent; <c>Run</c> afterwards throws <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        WakeWorkers();
        foreach (var worker in workers)
            if (worker != Thread.CurrentThread) worker.Join();
    }

    private static void Invoke<TWork>(void* state, int rowStart, int rowEnd) where TWork : struct, IRowWork =>
        Unsafe.AsRef<TWork>(state).Execute(rowStart, rowEnd);

    /// <summary>
    /// Cuts rows into chunks of a whole number of alignment units, at most <paramref name="maxChunks"/> of them and
    /// as even as the units allow; only the last chunk may be shorter.
    /// </summary>
    internal static void Plan(int rows, int rowAlignment, int maxChunks, out int chunkRows, out int chunkCount)
    {
        long units = ((long)rows + rowAlignment - 1) / rowAlignment;
        long chunks = Math.Min(units, maxChunks);
        long unitsPerChunk = (units + chunks - 1) / chunks;
        long rowsPerChunk = Math.Min(unitsPerChunk * rowAlignment, rows);
        chunkRows = (int)rowsPerChunk;
        chunkCount = (int)((rows + rowsPerChunk - 1) / rowsPerChunk);
    }

    private static long Pack(int epoch, int index) => ((long)epoch << 32) | (uint)index;

    private static int EpochOf(long ticket) => (int)(ticket >> 32);

    private static int IndexOf(long ticket) => (int)ticket;

    private static bool IsNewJob(long ticket, int seenEpoch) => EpochOf(ticket) != seenEpoch && IndexOf(ticket) != Publishing;

    // Claims and runs chunks of job `epoch` until none is left or a newer job has replaced it.
    private void Drain(int epoch)
    {
        while (true)
        {
            long ticket = Volatile.Read(ref shared.Ticket);
            if (EpochOf(ticket) != epoch) return;
            int index = IndexOf(ticket);
            // Read the parameters between the ticket read and the swap: if the swap succeeds they are this job's.
            var work = shared.Work;
            void* state = shared.State;
            int rows = shared.Rows;
            int chunkRows = shared.ChunkRows;
            if (index >= shared.ChunkCount) return;
            if (Interlocked.CompareExchange(ref shared.Ticket, ticket + 1, ticket) != ticket) continue;

            int start = index * chunkRows;
            int end = rows - start > chunkRows ? start + chunkRows : rows;
            if (Volatile.Read(ref fault) is null)
            {
                try
                {
                    work(state, start, end);
                }
                catch (Exception exception)
                {
                    // The first failure wins; the remaining chunks are counted but skipped, so the caller never hangs.
                    Interlocked.CompareExchange(ref fault, ExceptionDispatchInfo.Capture(exception), null);
                }
            }
            Interlocked.Increment(ref shared.CompletedChunks);
        }
    }

    private void WorkerLoop()
    {
        int seenEpoch = 0;
        while (WaitForJob(ref seenEpoch)) Drain(seenEpoch);
    }

    // Polls for a job newer than seenEpoch for spinTicks, then blocks; false once the pool is disposed.
    private bool WaitForJob(ref int seenEpoch)
    {
        long deadline = Stopwatch.GetTimestamp() + spinTicks;
        int polls = 0;
        while (true)
        {
            long ticket = Volatile.Read(ref shared.Ticket);
            if (IsNewJob(ticket, seenEpoch))
            {
                seenEpoch = EpochOf(ticket);
                return true;
            }
            if (disposed) return false;
            if (spinTicks == 0)
            {
                Block(seenEpoch);
                continue;
            }

            if ((++polls & 63) != 0)
            {
                Thread.SpinWait(1);
                continue;
            }
            if (Stopwatch.GetTimestamp() < deadline)
            {
                // Give the core away now and then: when another process (or our own caller) is waiting for it,
                // burning a whole time slice here would slow the very job we are waiting for.
                Thread.Yield();
                continue;
            }
            Block(seenEpoch);
            deadline = Stopwatch.GetTimestamp() + spinTicks;
        }
    }

    private void Block(int seenEpoch)
    {
        lock (gate)
        {
            // Announce first, then look (both full fences): Run publishes, then looks for sleepers, so at least one
            // of us sees the other and the wake-up cannot be lost.
            Interlocked.Increment(ref shared.Sleepers);
            if (!IsNewJob(Volatile.Read(ref shared.Ticket), seenEpoch) && !disposed) Monitor.Wait(gate);
            Interlocked.Decrement(ref shared.Sleepers);
        }
    }

    private void WakeWorkers()
    {
        lock (gate) Monitor.PulseAll(gate);
    }
}
