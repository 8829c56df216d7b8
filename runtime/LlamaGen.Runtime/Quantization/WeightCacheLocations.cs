using System.IO.Hashing;
using System.Text;
using LlamaGen.Models;

namespace LlamaGen.Quantization;

/// <summary>Where a model's weight cache may live, in the order they are read and written.</summary>
internal static class WeightCacheLocations
{
    public const string Extension = ".llamagen-cache";

    public static IReadOnlyList<string> For(string modelPath, ModelLoadOptions options)
    {
        string full = Path.GetFullPath(modelPath);
        var paths = new List<string>(2);
        if (options.WeightCache == WeightCacheMode.BesideModel) paths.Add(full + Extension);
        if (options.WeightCache is WeightCacheMode.BesideModel or WeightCacheMode.Folder && Folder(options) is { } folder)
        {
            // The folder holds caches of models from many folders: the full path's hash keeps same-named models apart.
            string pathHash = Convert.ToHexStringLower(BitConverter.GetBytes(XxHash3.HashToUInt64(Encoding.UTF8.GetBytes(full))));
            paths.Add(Path.Combine(folder, Path.GetFileName(full) + "." + pathHash + Extension));
        }
        return paths;
    }

    /// <summary>The cache folder: the option, <c>$LLAMAGEN_CACHE_DIR</c>, <c>$XDG_CACHE_HOME/llamagen</c>, <c>~/.cache/llamagen</c>.</summary>
    public static string? Folder(ModelLoadOptions options)
    {
        if (!string.IsNullOrEmpty(options.WeightCacheFolder)) return Path.GetFullPath(options.WeightCacheFolder);
        if (Environment.GetEnvironmentVariable("LLAMAGEN_CACHE_DIR") is { Length: > 0 } variable) return Path.GetFullPath(variable);
        if (Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg) return Path.Combine(xdg, "llamagen");
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return home.Length == 0 ? null : Path.Combine(home, ".cache", "llamagen");
    }
}
