using LlamaGen.Conversion;
using LlamaGen.Gguf;
using LlamaGen.TestSupport.Reference;

namespace LlamaGen.Runtime.Tests.Reference;

public class ReferenceGgufLoaderTests
{
    [Fact]
    public void ConvertedStories260KGivesTheReferenceTheSameWeights()
    {
        // Checks the converter's tensor names, shapes and byte order without any generated code: the reference
        // loaded from the converted GGUF must compute bit-identical logits to the one loaded from the .bin.
        string directory = Path.Combine(Path.GetTempPath(), $"llamagen-refgguf-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        try
        {
            string gguf = Path.Combine(directory, "stories260K.gguf");
            Llama2CConverter.Convert(ReferenceFixtures.Stories260KModel, ReferenceFixtures.Stories260KTokenizer, gguf);
            var fromBin = new ReferenceLlama(ReferenceLlamaWeights.LoadLlama2C(ReferenceFixtures.Stories260KModel));
            using (var file = GgufFile.Open(gguf))
            {
                var fromGguf = new ReferenceLlama(ReferenceGgufLoader.Load(file));
                int token = 1;
                for (int pos = 0; pos < 40; pos++)
                {
                    float[] expected = fromBin.Forward(token, pos);
                    Assert.Equal(expected, fromGguf.Forward(token, pos));
                    token = ReferenceLlama.ArgMax(expected);
                }
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void TinyRandomF16GgufLoads()
    {
        using var file = GgufFile.Open(ReferenceFixtures.TinyRandomGguf);
        var weights = ReferenceGgufLoader.Load(file);
        Assert.Equal((8, 1, 32000), (weights.Dim, weights.Layers, weights.VocabSize));
        var logits = new ReferenceLlama(weights).Forward(1, 0);
        Assert.All(logits, value => Assert.True(float.IsFinite(value)));
    }
}
