using LlamaGen.Kernels;
using LlamaGen.Threading;

namespace LlamaGen.Runtime.Tests.Threading;

/// <summary>A work item that calls back into its own pool, which the pool must refuse rather than deadlock on.</summary>
internal readonly struct NestedRunWork(WorkerPool pool) : IRowWork
{
    public void Execute(int rowStart, int rowEnd) => pool.Run(new EmptyWork(), 1000, 4);
}
