using System.CommandLine;
using LlamaGen.Models;

namespace LlamaGen.Cli;

/// <summary>
/// <c>--no-cache</c>, shared by the commands that load a model: the CLI keeps repacked weights in
/// <c>MODEL.gguf.llamagen-cache</c> (or the cache folder) unless told not to, so the second load maps them instead of repacking.
/// </summary>
internal static class WeightCacheOption
{
    public static Option<bool> Create() => new("--no-cache")
    {
        Description = "Do not read or write the repacked-weights cache (MODEL.gguf.llamagen-cache beside the model, or $LLAMAGEN_CACHE_DIR, " +
                      "$XDG_CACHE_HOME/llamagen, ~/.cache/llamagen when the model's folder is not writable)",
    };

    public static WeightCacheMode Mode(bool noCache) => noCache ? WeightCacheMode.Disabled : WeightCacheMode.BesideModel;

    /// <summary>Prints the cache's warnings to stderr, and with <paramref name="verbose"/> what the cache did.</summary>
    public static Action<WeightCacheReport> Reporter(TextWriter stderr, bool verbose) => report =>
    {
        foreach (string warning in report.Warnings) stderr.WriteLine("warning: " + warning);
        if (verbose && report.Status != WeightCacheStatus.Disabled)
            stderr.WriteLine($"weight cache: {report.Status.ToString().ToLowerInvariant()}{(report.Path is null ? "" : " " + report.Path)} " +
                             $"({report.TensorsMapped} matrices mapped, {report.TensorsRepacked} repacked)");
    };
}
