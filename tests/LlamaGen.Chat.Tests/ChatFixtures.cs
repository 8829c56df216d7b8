using System.Reflection;

namespace LlamaGen.Chat.Tests;

/// <summary>The read-only fixtures beside the checkout (<c>$(LlamaGenFixtures)</c>, or <c>LLAMAGEN_FIXTURES</c>).</summary>
public static class ChatFixtures
{
    private static readonly Lazy<string> directory = new(Find);

    public static string Directory => directory.Value;

    public static string TemplatesDirectory => Path.Combine(Directory, "chat-templates");

    public static string Llama2Gguf => Path.Combine(Directory, "llama-2-tiny-random.gguf");

    /// <summary>Every fixture template by file name (without .jinja).</summary>
    public static IReadOnlyDictionary<string, string> Templates() =>
        System.IO.Directory.GetFiles(TemplatesDirectory, "*.jinja")
            .OrderBy(path => path, StringComparer.Ordinal)
            .ToDictionary(path => Path.GetFileNameWithoutExtension(path), File.ReadAllText);

    public static string Template(string name) => File.ReadAllText(Path.Combine(TemplatesDirectory, name + ".jinja"));

    private static string Find()
    {
        if (Environment.GetEnvironmentVariable("LLAMAGEN_FIXTURES") is { Length: > 0 } configured)
            return configured;
        string? built = typeof(ChatFixtures).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "LlamaGenFixtures")?.Value;
        if (built is not null && System.IO.Directory.Exists(Path.Combine(built, "chat-templates")))
            return Path.GetFullPath(built);
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "fixtures");
            if (System.IO.Directory.Exists(Path.Combine(candidate, "chat-templates")))
                return candidate;
        }
        throw new DirectoryNotFoundException($"Cannot find shared/fixtures/chat-templates beside the checkout (from {AppContext.BaseDirectory}).");
    }
}
