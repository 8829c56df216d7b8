using LlamaGen.Cli;

namespace LlamaGen.SideBySide;

/// <summary>
/// Both engines' runs on one model at one thread count, and what the table shows of them: medians over the runs
/// (each run's own figure is already its median over its repetitions), LlamaGen / llama.cpp ratios, and the
/// generation roofline.
/// </summary>
internal sealed class Comparison(string model, int threads, long weightBytesPerToken, double? bandwidthBytesPerSecond)
{
    public string Model { get; } = model;
    public int Threads { get; } = threads;

    /// <summary>Bytes of weights one generated token reads (every tensor but the embedding's unread rows).</summary>
    public long WeightBytesPerToken { get; } = weightBytesPerToken;

    /// <summary>Measured read bandwidth at <see cref="Threads"/> threads (or as given); null when unknown.</summary>
    public double? BandwidthBytesPerSecond { get; } = bandwidthBytesPerSecond;

    public List<BenchReport> LlamaGen { get; } = [];
    public List<BenchReport> LlamaCpp { get; } = [];

    /// <summary>Generation can go no faster than reading every weight once per token at the measured bandwidth.</summary>
    public double? RooflineTokensPerS => BandwidthBytesPerSecond / WeightBytesPerToken;

    public static double MedianOf(IEnumerable<BenchReport> runs, Func<BenchReport, double> figure) =>
        BenchReport.Median(runs.Select(figure).ToArray());

    public static double? MedianPeakRss(IEnumerable<BenchReport> runs)
    {
        var values = runs.Where(r => r.PeakRssBytes.HasValue).Select(r => (double)r.PeakRssBytes!.Value).ToArray();
        return values.Length == 0 ? null : BenchReport.Median(values);
    }

    public double Pp(IEnumerable<BenchReport> runs) => MedianOf(runs, r => r.PpTokensPerS);
    public double Tg(IEnumerable<BenchReport> runs) => MedianOf(runs, r => r.TgTokensPerS);
    public double Load(IEnumerable<BenchReport> runs) => MedianOf(runs, r => r.LoadMs);

    /// <summary>Load plus the first decoded token: comparable whether an engine pages weights in at load or on first use.</summary>
    public double Ready(IEnumerable<BenchReport> runs) => MedianOf(runs, r => r.LoadMs + r.WarmupMs);

    public double? RooflineFraction(IEnumerable<BenchReport> runs) => Tg(runs) / RooflineTokensPerS;

    /// <summary>
    /// How many of the greedy ids the two engines generated agree, counted up to the first difference (after it the
    /// sequences continue from different tokens). Same weights and prompt: a forward-pass sanity check, not a timing.
    /// </summary>
    public (int Agreeing, int Total) GreedyAgreement()
    {
        int[] a = LlamaGen[0].GeneratedIds, b = LlamaCpp[0].GeneratedIds;
        int n = Math.Min(a.Length, b.Length), i = 0;
        while (i < n && a[i] == b[i]) i++;
        return (i, n);
    }
}
