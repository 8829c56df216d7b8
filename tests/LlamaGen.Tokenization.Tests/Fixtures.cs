using System.Reflection;

namespace LlamaGen.Tokenization.Tests;

/// <summary>
/// The read-only fixtures in <c>../shared/fixtures</c>: found where the build said (<c>$(LlamaGenFixtures)</c>), or where
/// <c>LLAMAGEN_FIXTURES</c> points, or in a parent of the test host's folder.
/// </summary>
internal static class Fixtures
{
    private static readonly Lazy<string> directory = new(Find);

    public static string Directory => directory.Value;

    /// <summary>The vocabulary files of llama.cpp's tokenizer tests, by the NAME in <c>ggml-vocab-NAME.gguf</c>.</summary>
    public static readonly string[] VocabularyNames = ["gpt-2", "starcoder", "refact", "mpt", "deepseek-coder", "llama-spm", "phi-3"];

    public static string Vocabulary(string name) => Path.Combine(Directory, "vocab", $"ggml-vocab-{name}.gguf");

    private static string Find()
    {
        if (Environment.GetEnvironmentVariable("LLAMAGEN_FIXTURES") is { Length: > 0 } configured)
            return configured;
        string? built = typeof(Fixtures).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "LlamaGenFixtures")?.Value;
        if (built is not null && File.Exists(Path.Combine(built, "vocab", "ggml-vocab-gpt-2.gguf")))
            return Path.GetFullPath(built);
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "fixtures");
            if (File.Exists(Path.Combine(candidate, "vocab", "ggml-vocab-gpt-2.gguf")))
                return candidate;
        }
        throw new DirectoryNotFoundException(
            $"Cannot find shared/fixtures/vocab (looked at '{built}' and in every parent of {AppContext.BaseDirectory}); " +
            "the fixtures folder must sit beside the project's checkout, or LLAMAGEN_FIXTURES must name it.");
    }
}
