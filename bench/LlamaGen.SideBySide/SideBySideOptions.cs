namespace LlamaGen.SideBySide;

/// <summary>What the runner was asked to do (see <see cref="Program"/> for the options).</summary>
internal sealed record SideBySideOptions
{
    public required IReadOnlyList<string> Models { get; init; }
    public required IReadOnlyList<int> Threads { get; init; }
    public required int PromptTokens { get; init; }
    public required int GenTokens { get; init; }

    /// <summary>Processes per engine for each model and thread count; the medians are over these.</summary>
    public required int Runs { get; init; }

    /// <summary>Repetitions inside each process (passed on as <c>--reps</c>); each process reports its median.</summary>
    public required int RepsPerRun { get; init; }

    public required ulong Seed { get; init; }

    /// <summary>Run a competing <c>yes &gt; /dev/null</c> for the duration of the measurements.</summary>
    public required bool Contended { get; init; }

    public required EngineCommand LlamaGen { get; init; }
    public required EngineCommand LlamaCpp { get; init; }

    /// <summary>Read bandwidth in GB/s given on the command line; null measures it for each thread count.</summary>
    public double? BandwidthGBs { get; init; }

    public required TimeSpan Timeout { get; init; }

    public string? ResultsPath { get; init; }

    /// <summary>The section of RESULTS.md this run writes (replaced when a section with this label exists).</summary>
    public required string Label { get; init; }

    /// <summary>The command line as typed, for the record in RESULTS.md.</summary>
    public required string CommandLine { get; init; }
}
