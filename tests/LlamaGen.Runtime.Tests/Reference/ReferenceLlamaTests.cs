using LlamaGen.TestSupport.Reference;

namespace LlamaGen.Runtime.Tests.Reference;

/// <summary>Checks the scalar reference itself against what llama2.c prints, so it can serve as an oracle.</summary>
public class ReferenceLlamaTests
{
    [Fact]
    public void GreedyDecodeFromBosReproducesLlama2COutput()
    {
        var golden = GoldenOutput.Load(ReferenceFixtures.Stories260KGolden);
        var weights = ReferenceLlamaWeights.LoadLlama2C(ReferenceFixtures.Stories260KModel);
        var tokenizer = Llama2CTokenizer.Load(ReferenceFixtures.Stories260KTokenizer, weights.VocabSize);
        var model = new ReferenceLlama(weights);

        var ids = golden.GreedyIds((token, pos) => model.Forward(token, pos));

        Assert.Equal(golden.ReferenceText, tokenizer.DecodeSequence(1, ids));
    }

    [Fact]
    public void CheckpointHeaderMatchesTheFixtureDescription()
    {
        var w = ReferenceLlamaWeights.LoadLlama2C(ReferenceFixtures.Stories260KModel);
        Assert.Equal((64, 172, 5, 8, 4, 512, 512), (w.Dim, w.HiddenDim, w.Layers, w.Heads, w.KvHeads, w.VocabSize, w.SeqLen));
        Assert.Same(w.TokenEmbedding, w.Classifier); // positive vocab_size: shared classifier
    }

    [Fact]
    public void TruncatedCheckpointIsRejectedWithTheTensorName()
    {
        string path = Path.Combine(Path.GetTempPath(), $"llamagen-truncated-{Guid.NewGuid():N}.bin");
        try
        {
            byte[] bytes = File.ReadAllBytes(ReferenceFixtures.Stories260KModel);
            File.WriteAllBytes(path, bytes.AsSpan(0, 28 + 512 * 64 * 4 + 100).ToArray());
            var error = Assert.Throws<InvalidDataException>(() => ReferenceLlamaWeights.LoadLlama2C(path));
            Assert.Contains("rms_att_weight", error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
