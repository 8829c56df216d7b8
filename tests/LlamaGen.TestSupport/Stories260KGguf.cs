using LlamaGen.Conversion;
using LlamaGen.TestSupport.Reference;

namespace LlamaGen.TestSupport;

/// <summary>stories260K converted to GGUF once in a temp folder for the CLI tests.</summary>
public sealed class Stories260KGguf : IDisposable
{
    private readonly string directory = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"llamagen-cli-{Guid.NewGuid():N}");

    public Stories260KGguf()
    {
        System.IO.Directory.CreateDirectory(directory);
        Path = System.IO.Path.Combine(directory, "stories260K.gguf");
        Llama2CConverter.Convert(ReferenceFixtures.Stories260KModel, ReferenceFixtures.Stories260KTokenizer, Path);
    }

    public string Path { get; }

    public string Directory => directory;

    public void Dispose()
    {
        try { System.IO.Directory.Delete(directory, recursive: true); }
        catch (IOException) { }
    }
}
