namespace LlamaGen.Cli;

/// <summary>
/// What one benchmark process prints with <c>--json</c>: <c>llamagen bench</c> and bench/LlamaGen.LlamaCppBench
/// both write this type (this file is compiled into both, and into the side-by-side runner that reads them), as one
/// JSON object with snake_case names. Times are milliseconds, rates tokens per second; the headline rates are the
/// medians over the repetitions, whose individual values follow.
/// </summary>
internal sealed record BenchReport
{
    /// <summary><c>llamagen</c> or <c>llama.cpp</c>.</summary>
    public required string Engine { get; init; }

    /// <summary>The engine's version: the llamagen assembly version, or the LLamaSharp version.</summary>
    public required string EngineVersion { get; init; }

    public required string Model { get; init; }
    public required long ModelBytes { get; init; }

    /// <summary>LlamaGen: the compiled model the file matched. llama.cpp: its model description.</summary>
    public string? ModelName { get; init; }

    public required int ThreadsRequested { get; init; }

    /// <summary>Threads the engine really computed with (LlamaGen is single-threaded until its thread pool lands).</summary>
    public required int ThreadsUsed { get; init; }

    public required int PromptTokens { get; init; }
    public required int GenTokens { get; init; }
    public required int Reps { get; init; }
    public required ulong Seed { get; init; }

    /// <summary><see cref="BenchPrompt.Fingerprint"/> of the prompt ids: equal on both sides of a comparison.</summary>
    public required string PromptFingerprint { get; init; }

    /// <summary>From opening the file to a model ready to decode (weights mapped, not necessarily read).</summary>
    public required double LoadMs { get; init; }

    /// <summary>
    /// The untimed warm-up: one token decoded right after loading. It touches every weight page, so load plus this is
    /// the honest "time to a first token" whichever way each engine maps the file.
    /// </summary>
    public required double WarmupMs { get; init; }

    /// <summary>Median prompt-processing rate: <see cref="PromptTokens"/> over the prompt's decode time.</summary>
    public required double PpTokensPerS { get; init; }

    /// <summary>Median generation rate: <see cref="GenTokens"/> over the time of that many single-token decodes.</summary>
    public required double TgTokensPerS { get; init; }

    public required double[] PpMs { get; init; }
    public required double[] TgMs { get; init; }
    public required double[] PpTokensPerSRuns { get; init; }
    public required double[] TgTokensPerSRuns { get; init; }

    /// <summary>
    /// The prompt ids themselves, so a run can be reproduced or checked against a reference forward pass (not required
    /// when reading: binaries built before this field existed leave it out).
    /// </summary>
    public int[] PromptIds { get; init; } = [];

    /// <summary>The greedy ids generated in the first repetition (the same in every repetition for a deterministic engine).</summary>
    public required int[] GeneratedIds { get; init; }

    /// <summary>Peak resident set size (VmHWM) of the benchmark process, in bytes; null off Linux.</summary>
    public long? PeakRssBytes { get; init; }

    /// <summary>LlamaGen: the kernel ISA. llama.cpp: the native build LLamaSharp loaded (avx512, avx2, ...).</summary>
    public required string Isa { get; init; }

    /// <summary>llama.cpp only: the path of the libllama that was loaded.</summary>
    public string? NativeLibrary { get; init; }

    /// <summary>Anything a reader of the figures must know (e.g. an option accepted but not yet used).</summary>
    public string[] Notes { get; init; } = [];

    /// <summary>The median: the middle value, or the mean of the two middle values for an even count.</summary>
    public static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0) throw new ArgumentException("The median of no values is undefined.", nameof(values));
        var sorted = values.Order().ToArray();
        int middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
