namespace LlamaGen.Tokenization.Tests;

/// <summary>Files of the checkout the tests run from (found by walking up to <c>LlamaGen.sln</c>).</summary>
internal static class RepositoryPaths
{
    public static string Root
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "LlamaGen.sln")))
                    return dir.FullName;
            }
            throw new DirectoryNotFoundException($"No LlamaGen.sln in any parent of {AppContext.BaseDirectory}.");
        }
    }

    public static string UnicodeFlagRanges =>
        Path.Combine(Root, "runtime", "LlamaGen.Runtime", "Tokenization", "UnicodeFlagTable.Ranges.cs");
}
