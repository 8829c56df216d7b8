namespace LlamaGen.TestSupport.Reference;

/// <summary>
/// Locates the read-only fixtures in <c>../shared/fixtures</c> beside the checkout, whatever directory the
/// test host runs from.
/// </summary>
public static class ReferenceFixtures
{
    private static readonly Lazy<string> directory = new(Find);

    public static string Directory => directory.Value;

    public static string Stories260KModel => Path.Combine(Directory, "stories260K.bin");
    public static string Stories260KTokenizer => Path.Combine(Directory, "tok512.bin");
    public static string Stories260KGolden => Path.Combine(Directory, "stories260K.golden.json");
    public static string TinyRandomGguf => Path.Combine(Directory, "llama-2-tiny-random.gguf");

    private static string Find()
    {
        // An explicit location wins (e.g. a test host run from outside the checkout).
        if (Environment.GetEnvironmentVariable("LLAMAGEN_FIXTURES") is { Length: > 0 } configured)
            return configured;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "fixtures");
            if (File.Exists(Path.Combine(candidate, "stories260K.bin")))
                return candidate;
        }
        throw new DirectoryNotFoundException(
            $"Cannot find shared/fixtures/stories260K.bin in any parent of {AppContext.BaseDirectory}; " +
            "the fixtures folder must sit beside the project's checkout.");
    }
}
