namespace LlamaGen.Models;

/// <summary>
/// What one load did with the repacked-weights cache, passed to <see cref="ModelLoadOptions.WeightCacheObserver"/>:
/// the outcome, the cache file it read or wrote, and every warning (a stale, truncated, corrupt or foreign cache; a
/// location that could not be written).
/// </summary>
public sealed record WeightCacheReport(WeightCacheStatus Status, string? Path, IReadOnlyList<string> Warnings, int TensorsMapped, int TensorsRepacked);
