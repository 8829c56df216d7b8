using LlamaGen.Threading;

namespace LlamaGen.Runtime.Tests.Threading;

/// <summary>A job costs no allocation, on the calling thread or on the workers: the pool is used hundreds of times per token.</summary>
[Collection(AllocationMeasurementCollection.Name)]
public unsafe class WorkerPoolAllocationTests
{
    private const int Calls = 10_000;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void RunAllocatesNothingOnTheCallingThread(int threads)
    {
        using var pool = new WorkerPool(threads);
        for (int i = 0; i < 100; i++) pool.Run(new EmptyWork(), 4096, 4); // JIT and tiering first

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Calls; i++) pool.Run(new EmptyWork(), 4096, 4);
        for (int i = 0; i < Calls; i++) pool.Run(&Nothing, null, 11008, 4);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
    }

    [Fact]
    public void RunAllocatesNothingOnTheWorkers()
    {
        const int Threads = 3;
        using var pool = new WorkerPool(Threads);
        var before = new long[short.MaxValue];
        var after = new long[short.MaxValue];
        for (int i = 0; i < 100; i++) pool.Run(new EmptyWork(), 4096, 4);

        // Each probe job waits until every thread has taken a chunk, so each worker records its own counter.
        var firstProbe = new WorkerRendezvous(Threads);
        var lastProbe = new WorkerRendezvous(Threads);
        pool.Run(new AllocationProbeWork(firstProbe, before), 4096, 4);
        long processBefore = GC.GetTotalAllocatedBytes(precise: true);
        for (int i = 0; i < Calls; i++) pool.Run(new EmptyWork(), 4096, 4);
        long processAllocated = GC.GetTotalAllocatedBytes(precise: true) - processBefore;
        pool.Run(new AllocationProbeWork(lastProbe, after), 4096, 4);

        Assert.True(firstProbe.Complete && lastProbe.Complete, "not every worker took part in the probe jobs");
        foreach (var worker in pool.Workers)
        {
            int id = worker.ManagedThreadId;
            Assert.True(before[id] != 0 && after[id] != 0, $"{worker.Name} did not record its counter");
            Assert.Equal(0, after[id] - before[id]);
        }
        // Process-wide (the test runner's own threads included): far less than one byte per call means no call allocates.
        Assert.True(processAllocated < Calls, $"{processAllocated} bytes allocated in the process during {Calls} calls");
    }

    private static void Nothing(void* state, int rowStart, int rowEnd) { }
}
