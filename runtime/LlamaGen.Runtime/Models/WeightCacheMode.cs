namespace LlamaGen.Models;

/// <summary>
/// Where a model load keeps its repacked-weights cache (<see cref="ModelLoadOptions.WeightCache"/>): a file holding the
/// quantized matrices already in the layout the kernels read, so a later load maps it instead of repacking.
/// </summary>
public enum WeightCacheMode
{
    /// <summary>No cache: every load repacks (the library default, so loading never writes files).</summary>
    Disabled,

    /// <summary>
    /// <c>MODEL.gguf.llamagen-cache</c> beside the model; where that folder is not writable (or holds a file of that name
    /// that is not a LlamaGen cache), the cache folder of <see cref="Folder"/>.
    /// </summary>
    BesideModel,

    /// <summary>
    /// Only the cache folder: <see cref="ModelLoadOptions.WeightCacheFolder"/>, else <c>$LLAMAGEN_CACHE_DIR</c>, else
    /// <c>$XDG_CACHE_HOME/llamagen</c>, else <c>~/.cache/llamagen</c>.
    /// </summary>
    Folder,
}
