namespace LlamaGen.Oracle.Tests.Models;

/// <summary>
/// Tests that force <see cref="LlamaGen.Inference.KernelDispatch.Current"/> (a process-wide setting) run in this
/// collection, alone, so the ISA a test claims to check is the one that runs.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class KernelDispatchCollection
{
    public const string Name = "KernelDispatch";
}
