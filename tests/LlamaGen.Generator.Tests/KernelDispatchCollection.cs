using LlamaGen.Kernels;

namespace LlamaGen.Generator.Tests;

/// <summary>Tests that set <see cref="KernelDispatch.Current"/> (process-wide) run in this collection, alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class KernelDispatchCollection
{
    public const string Name = "KernelDispatch";
}
