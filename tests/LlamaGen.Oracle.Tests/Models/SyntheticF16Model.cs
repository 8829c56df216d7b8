using LlamaGen.Conversion;
using LlamaGen.Quantization;
using LlamaGen.TestSupport.Reference;
using LlamaGen.Models;

namespace LlamaGen.Oracle.Tests.Models;

/// <summary>
/// A synthetic F16 model (random weights, Llama 2 vocabulary) whose every row length is a multiple of 256, so each
/// quantization type applies without fallback; 8 layers, so the _M mixes' use_more_bits picks layers 0, 3, 6 and 7.
/// Written once to a temp folder.
/// </summary>
public sealed class SyntheticF16Model : IDisposable
{
    public static readonly ModelShape Shape = new("quantize-oracle", EmbeddingLength: 256, BlockCount: 8, HeadCount: 4, HeadCountKv: 2,
        FeedForwardLength: 512, VocabSize: 32000, ContextLength: 512, RopeFreqBase: 10000f, RmsEpsilon: 1e-5f, WeightTypes: [GgmlType.F16]);

    private readonly string directory = Directory.CreateTempSubdirectory("llamagen-synthetic-f16-").FullName;

    public SyntheticF16Model()
    {
        Path = System.IO.Path.Combine(directory, "quantize-oracle-f16.gguf");
        SyntheticModelWriter.Write(Shape, GgmlType.F16, ReferenceFixtures.TinyRandomGguf, Path, seed: 5);
    }

    public string Path { get; }

    public void Dispose()
    {
        try { Directory.Delete(directory, recursive: true); }
        catch (IOException) { }
    }
}
