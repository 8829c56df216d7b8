using LlamaGen.Inference;
using LlamaGen.TestSupport.Reference;
using LlamaGen.Sampling;

namespace LlamaGen.Runtime.Tests.Inference;

/// <summary>The generation loop and streaming decoder on the scalar oracle model reproduce llama2.c's printed story.</summary>
public class GoldenGenerationTests
{
    [Fact]
    public void GreedyFromBosPrintsTheGoldenText()
    {
        var golden = GoldenOutput.Load(ReferenceFixtures.Stories260KGolden);
        var model = new ReferenceLlamaModel(ReferenceLlamaWeights.LoadLlama2C(ReferenceFixtures.Stories260KModel));
        var generator = new TextGenerator(model, Tok512.Tokenizer);

        // llama2.c's steps count positions from BOS; each of them yields one printed token.
        var result = generator.Generate(golden.Prompt, new GenerationOptions
        {
            MaxNewTokens = golden.Steps,
            Sampling = SamplerOptions.Greedy,
        });

        Assert.Equal(StopReason.MaxTokens, result.StopReason);
        Assert.Equal(golden.ReferenceText, result.Text);
    }
}
