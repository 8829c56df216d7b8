using LlamaGen.Conversion;
using LlamaGen.TestSupport.Reference;

namespace LlamaGen.Oracle.Tests.Models;

/// <summary>stories260K.bin + tok512.bin converted to GGUF once, in a temp folder, for the llama.cpp comparisons.</summary>
public sealed class ConvertedStories260K : IDisposable
{
    private readonly string directory;

    public ConvertedStories260K()
    {
        directory = Path.Combine(Path.GetTempPath(), $"llamagen-oracle-stories260k-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        GgufPath = Path.Combine(directory, "stories260K.gguf");
        Llama2CConverter.Convert(ReferenceFixtures.Stories260KModel, ReferenceFixtures.Stories260KTokenizer, GgufPath);
    }

    public string GgufPath { get; }

    /// <summary>A path in the same temp folder for derived files (e.g. quantized copies).</summary>
    public string PathFor(string fileName) => Path.Combine(directory, fileName);

    public void Dispose()
    {
        try { Directory.Delete(directory, recursive: true); }
        catch (IOException) { }
    }
}
