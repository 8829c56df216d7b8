namespace LlamaGen.Quantization;

/// <summary>What <see cref="WeightCacheFile.TryOpen"/> found at one location.</summary>
internal enum WeightCacheProbe
{
    /// <summary>No file.</summary>
    Missing,

    /// <summary>A cache valid for the model: mapped.</summary>
    Valid,

    /// <summary>A LlamaGen cache that is stale, truncated or corrupt (or unreadable): ignored, and replaced when rebuilt.</summary>
    Invalid,

    /// <summary>Some other file under the cache's name: ignored and never replaced.</summary>
    Foreign,
}
