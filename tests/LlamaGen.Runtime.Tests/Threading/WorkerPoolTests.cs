using LlamaGen.Threading;

namespace LlamaGen.Runtime.Tests.Threading;

/// <summary>
/// <see cref="WorkerPool"/> splits rows so that each is processed exactly once, in aligned chunks, propagates failures,
/// refuses re-entry, survives many consecutive jobs and shuts down cleanly.
/// </summary>
public unsafe class WorkerPoolTests
{
    private static readonly int[] ThreadCounts = [1, 2, 3, 4, 8];
    private static readonly int[] RowCounts = [1, 2, 3, 4, 5, 7, 8, 9, 31, 63, 64, 65, 172, 1000, 4097, 11008];
    private static readonly int[] Alignments = [1, 3, 4, 16, 32];

    [Fact]
    public void EveryRowIsProcessedExactlyOnceInAlignedChunks()
    {
        int maxRows = RowCounts.Max();
        int[] counts = new int[maxRows], stamps = new int[maxRows], badChunks = new int[1];
        int job = 0;
        foreach (int threads in ThreadCounts)
        {
            using var pool = new WorkerPool(threads);
            foreach (int rows in RowCounts)
                foreach (int alignment in Alignments)
                {
                    job++;
                    pool.Run(new CountingWork(counts, stamps, badChunks, rows, alignment, job), rows, alignment);
                    var problem = CountingWork.Check(counts, stamps, badChunks, rows, job);
                    Assert.True(problem is null, $"{threads} threads, {rows} rows, alignment {alignment}: {problem}");
                }
        }
    }

    [Fact]
    public void FunctionPointerOverloadProcessesEveryRowOnce()
    {
        const int Rows = 1001;
        int[] counts = new int[Rows];
        using var pool = new WorkerPool(3);
        fixed (int* state = counts)
        {
            for (int i = 0; i < 50; i++) pool.Run(&CountRows, state, Rows, 4);
        }
        Assert.All(counts, count => Assert.Equal(50, count));
    }

    private static void CountRows(void* state, int rowStart, int rowEnd)
    {
        for (int r = rowStart; r < rowEnd; r++) Interlocked.Increment(ref ((int*)state)[r]);
    }

    [Theory]
    [InlineData(11008, 4, 16)] // Llama 2 7B ffn rows, 2 threads x 8 chunks
    [InlineData(4096, 4, 16)]
    [InlineData(172, 4, 16)]   // fewer alignment units than would fill the chunks evenly
    [InlineData(3, 4, 16)]     // fewer rows than one alignment unit
    [InlineData(10, 4, 64)]    // fewer rows than chunks
    [InlineData(1001, 1, 7)]
    public void PlanCutsAlignedChunksWithinTheLimit(int rows, int alignment, int maxChunks)
    {
        WorkerPool.Plan(rows, alignment, maxChunks, out int chunkRows, out int chunkCount);

        Assert.InRange(chunkCount, 1, maxChunks);
        Assert.True(chunkRows % alignment == 0 || chunkRows == rows, $"chunk of {chunkRows} rows is not a multiple of {alignment}");
        Assert.True((long)chunkRows * chunkCount >= rows, "chunks do not cover the rows");
        Assert.True((long)chunkRows * (chunkCount - 1) < rows, "the last chunk is empty");
        // As even as whole alignment units allow: no chunk holds more than one unit above the ideal share.
        long units = (rows + alignment - 1) / alignment;
        Assert.True(chunkRows <= ((units + Math.Min(units, maxChunks) - 1) / Math.Min(units, maxChunks)) * alignment);
    }

    [Fact]
    public void ZeroRowsRunsNothingAndBadArgumentsAreRefused()
    {
        using var pool = new WorkerPool(2);
        int[] counts = new int[1], stamps = new int[1], badChunks = new int[1];
        pool.Run(new CountingWork(counts, stamps, badChunks, 0, 1, 1), 0);
        Assert.Equal(0, counts[0] + badChunks[0]);

        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Run(new EmptyWork(), -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Run(new EmptyWork(), 10, 0));
        Assert.Throws<ArgumentNullException>(() => pool.Run(null, null, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => new WorkerPool(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new WorkerPool(2, TimeSpan.FromTicks(-1), 8));
        Assert.Throws<ArgumentOutOfRangeException>(() => new WorkerPool(2, TimeSpan.Zero, 0));
    }

    [Fact]
    public void DefaultThreadCountIsTheProcessorCount()
    {
        using var pool = new WorkerPool();
        Assert.Equal(Environment.ProcessorCount, pool.ThreadCount);
        Assert.Equal(Environment.ProcessorCount - 1, pool.Workers.Count);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void FirstExceptionPropagatesAndThePoolStaysUsable(bool throwOnWorker)
    {
        using var pool = new WorkerPool(2);
        var rendezvous = new WorkerRendezvous(2);
        int[] completedRows = new int[1];

        var exception = Assert.Throws<ArithmeticException>(() =>
            pool.Run(new ThrowingWork(rendezvous, Environment.CurrentManagedThreadId, throwOnWorker, completedRows), 4096, 4));

        Assert.True(rendezvous.Complete, "no worker joined the job, so the test did not exercise the worker side");
        Assert.StartsWith(ThrowingWork.Message + (throwOnWorker ? " (worker" : " (caller"), exception.Message);
        Assert.InRange(completedRows[0], 0, 4096 - 1);

        int[] counts = new int[4096], stamps = new int[4096], badChunks = new int[1];
        pool.Run(new CountingWork(counts, stamps, badChunks, 4096, 4, 7), 4096, 4);
        Assert.Null(CountingWork.Check(counts, stamps, badChunks, 4096, 7));
    }

    [Fact]
    public void RunFromInsideAWorkItemIsRefused()
    {
        using var pool = new WorkerPool(2);
        var exception = Assert.Throws<InvalidOperationException>(() => pool.Run(new NestedRunWork(pool), 1000, 4));
        Assert.Contains("one job at a time", exception.Message);
        pool.Run(new EmptyWork(), 1000, 4);
    }

    [Fact]
    public void WorkersAreNamedBackgroundThreadsThatDisposeJoins()
    {
        var pool = new WorkerPool(3, TimeSpan.Zero, 8);
        pool.Run(new EmptyWork(), 1000);
        Assert.Equal(2, pool.Workers.Count);
        Assert.All(pool.Workers, worker =>
        {
            Assert.True(worker.IsBackground);
            Assert.StartsWith("LlamaGen worker", worker.Name);
        });
        // Zero spin: by now the workers are blocked, so Dispose has to wake them to end them.
        Thread.Sleep(20);

        pool.Dispose();
        Assert.All(pool.Workers, worker => Assert.False(worker.IsAlive));
        pool.Dispose();
        Assert.Throws<ObjectDisposedException>(() => pool.Run(new EmptyWork(), 10));
    }

    [Fact]
    public void DisposeEndsSpinningWorkers()
    {
        var pool = new WorkerPool(2, TimeSpan.FromSeconds(30), 8);
        pool.Run(new EmptyWork(), 1000);
        pool.Dispose();
        Assert.All(pool.Workers, worker => Assert.False(worker.IsAlive));
    }

    [Theory]
    [InlineData(2, 500, 100_000)]  // the decode case: workers spinning between jobs
    [InlineData(3, 500, 30_000)]   // more threads than this machine may have cores
    [InlineData(2, 0, 5_000)]      // no spinning: every job wakes blocked workers
    public void ManyConsecutiveSmallJobsEachProcessEveryRowOnce(int threads, int spinMicroseconds, int jobs)
    {
        // Run on another thread with a deadline, so a lost wake-up fails the test instead of hanging the run.
        string? problem = null;
        var stress = Task.Factory.StartNew(() =>
        {
            using var pool = new WorkerPool(threads, TimeSpan.FromMicroseconds(spinMicroseconds), 4);
            int[] counts = new int[128], stamps = new int[128], badChunks = new int[1];
            for (int job = 1; job <= jobs && problem is null; job++)
            {
                int rows = 1 + job * 7919 % 97;
                int alignment = 1 + job % 5;
                pool.Run(new CountingWork(counts, stamps, badChunks, rows, alignment, job), rows, alignment);
                var found = CountingWork.Check(counts, stamps, badChunks, rows, job);
                if (found is not null) problem = $"job {job} ({rows} rows, alignment {alignment}): {found}";
            }
        }, TestContext.Current.CancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

#pragma warning disable xUnit1031 // the test is unsafe code (no await); a bounded wait is the point: a lost wake-up must fail, not hang
        Assert.True(stress.Wait(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken), "the jobs did not finish within 60 s: a wake-up was lost or a chunk never completed");
#pragma warning restore xUnit1031
        Assert.Null(problem);
    }
}
