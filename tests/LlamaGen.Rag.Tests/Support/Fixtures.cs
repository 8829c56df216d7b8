namespace LlamaGen.Rag.Tests.Support;

/// <summary>Paths of the shared fixtures (../shared/fixtures beside the checkout) and of the sample's corpus, whatever directory the tests run from.</summary>
public static class Fixtures
{
    private static readonly Lazy<string> RepositoryRoot = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "LlamaGen.sln"))) return dir.FullName;
        throw new InvalidOperationException($"cannot find LlamaGen.sln in any parent of {AppContext.BaseDirectory}");
    });

    public static string Repository => RepositoryRoot.Value;

    /// <summary>The Llama 2 vocabulary (and random weights): its tokenizer sizes passages in the tests.</summary>
    public static string TinyRandomGguf => SharedFixture("llama-2-tiny-random.gguf");

    /// <summary>stories260K (llama2.c checkpoint and tokenizer) converted to GGUF at <paramref name="path"/>; returns the path.</summary>
    public static string Stories260KGguf(string path)
    {
        LlamaGen.Conversion.Llama2CConverter.Convert(SharedFixture("stories260K.bin"), SharedFixture("tok512.bin"), path);
        return path;
    }

    public static string Corpus => Path.Combine(Repository, "samples", "LlamaGen.Rag", "corpus");

    public static string Questions => Path.Combine(Repository, "samples", "LlamaGen.Rag", "questions.json");

    public static string CorpusSources => Path.Combine(Repository, "tests", "LlamaGen.Rag.Tests", "CorpusSources");

    private static string SharedFixture(string name)
    {
        for (var dir = new DirectoryInfo(Repository); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "fixtures", name);
            if (File.Exists(candidate)) return candidate;
        }
        throw new InvalidOperationException($"cannot find shared/fixtures/{name} beside the checkout {Repository}");
    }
}
