using LlamaGen.Kernels;

namespace LlamaGen.Runtime.Tests.Threading;

/// <summary>Work that does nothing, so a measurement sees only the pool.</summary>
internal readonly struct EmptyWork : IRowWork
{
    public void Execute(int rowStart, int rowEnd) { }
}
