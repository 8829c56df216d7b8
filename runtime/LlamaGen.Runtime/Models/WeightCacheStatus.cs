namespace LlamaGen.Models;

/// <summary>What a load did with its repacked-weights cache (<see cref="WeightCacheReport.Status"/>).</summary>
public enum WeightCacheStatus
{
    /// <summary><see cref="WeightCacheMode.Disabled"/>: weights were repacked, nothing was read or written.</summary>
    Disabled,

    /// <summary>The model has no repacked matrices (float weights only): there is nothing to cache.</summary>
    NothingToCache,

    /// <summary>Every repacked matrix was read from a valid cache file (validated through a read-only mapping); nothing was repacked.</summary>
    Mapped,

    /// <summary>Weights were repacked and the cache file written (the first load, or a rebuild after a warning).</summary>
    Written,

    /// <summary>Weights were repacked, but no location could hold the cache (see the warnings); the load itself succeeded.</summary>
    NotWritten,
}
