namespace LlamaGen.Generator.Tests;

internal static class RepositoryPaths
{
    /// <summary>The checkout root: the nearest ancestor of the test binaries holding <c>LlamaGen.sln</c>.</summary>
    public static string Root { get; } = FindRoot();

    public static string Specs => Path.Combine(Root, "specs");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "LlamaGen.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException($"No LlamaGen.sln above {AppContext.BaseDirectory}.");
    }
}
