namespace LlamaGen.Runtime.Tests.Models;

/// <summary>
/// Tests that force <see cref="LlamaGen.Inference.KernelDispatch.Current"/> (a process-wide setting) run in this
/// collection, alone, so a test that claims to check the scalar path is not switched to AVX-512 mid-way by another.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class KernelDispatchCollection
{
    public const string Name = "KernelDispatch";
}
