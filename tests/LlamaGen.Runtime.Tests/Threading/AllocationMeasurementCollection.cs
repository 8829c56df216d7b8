namespace LlamaGen.Runtime.Tests.Threading;

/// <summary>
/// Tests that read the process-wide allocation counter run in this collection, alone, so other tests' allocations
/// do not show up in their measurement.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationMeasurementCollection
{
    public const string Name = "AllocationMeasurement";
}
