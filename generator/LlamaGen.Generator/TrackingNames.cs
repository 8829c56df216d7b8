namespace LlamaGen.Generator;

/// <summary>Names of the pipeline steps, for incremental-caching tests.</summary>
public static class TrackingNames
{
    public const string Targets = nameof(Targets);
    public const string SpecFiles = nameof(SpecFiles);
    public const string Models = nameof(Models);
    public const string Registry = nameof(Registry);
    public const string KernelKeys = nameof(KernelKeys);
}
