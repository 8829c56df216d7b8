using System.Numerics.Tensors;
using LlamaGen.Hosting;
using LlamaGen.Inference;
using LlamaGen.TestModels;
using LlamaGen.TestSupport;
using LlamaGen.TestSupport.LlamaCpp;
using LLama.Native;
using Microsoft.Extensions.AI;

namespace LlamaGen.AI.Tests;

/// <summary>
/// <see cref="LlamaEmbeddingGenerator"/> against llama.cpp's embeddings of the same GGUF (LLamaSharp, embedding mode, the
/// same pooling, the same token ids): cosine at least 0.9999 for mean, last and first pooling, on stories260K (a trained
/// model) and llama-2-tiny-random; normalized to unit length; several inputs decoded together equal each alone.
/// </summary>
public sealed class EmbeddingGeneratorTests : IClassFixture<Stories260KGguf>
{
    private const float MinimumCosine = 0.9999f;
    private static readonly string[] Texts =
    [
        "Once upon a time, there was a little girl named Lily.",
        "The dog ran to the park and played with a ball all day.",
        "Hi",
        "She was happy. He was sad. They went home together, and the sun went down over the hills.",
    ];

    private readonly Stories260KGguf stories;

    public EmbeddingGeneratorTests(Stories260KGguf stories) => this.stories = stories;

    public static TheoryData<string, EmbeddingPooling> Cases()
    {
        var cases = new TheoryData<string, EmbeddingPooling>();
        foreach (string model in new[] { "stories260K", "tiny-random" })
            foreach (EmbeddingPooling pooling in Enum.GetValues<EmbeddingPooling>())
                cases.Add(model, pooling);
        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task EmbeddingsMatchLlamaCpp(string model, EmbeddingPooling pooling)
    {
        string path = model == "stories260K" ? stories.Path : ChatModels.ChatGguf;
        using LocalModel local = LocalModel.Load(path, TestModelCatalog.All, new LocalModelOptions { Threads = 1, ContextLength = 256 });
        using var generator = local.CreateEmbeddingGenerator(new LlamaEmbeddingGeneratorOptions { Pooling = pooling });
        GeneratedEmbeddings<Embedding<float>> ours = await generator.GenerateAsync(Texts);

        IReadOnlyList<int>[] tokens = [.. Texts.Select(generator.Tokenize)];
        LLamaPoolingType theirs = pooling switch
        {
            EmbeddingPooling.Mean => LLamaPoolingType.Mean,
            EmbeddingPooling.Last => LLamaPoolingType.Last,
            _ => LLamaPoolingType.CLS,
        };
        using var llamaCpp = LlamaCppEmbedder.Open(path, theirs, contextSize: 256, maxSequences: Texts.Length);
        float[][] reference = llamaCpp.Embed(tokens);

        Assert.Equal(Texts.Length, ours.Count);
        Assert.Equal(tokens.Sum(t => t.Count), ours.Usage!.InputTokenCount);
        for (int i = 0; i < Texts.Length; i++)
        {
            ReadOnlySpan<float> vector = ours[i].Vector.Span;
            Assert.Equal(local.Model.Shape.EmbeddingLength, vector.Length);
            Assert.Equal(1f, TensorPrimitives.Norm(vector), 1e-5f);
            float cosine = TensorPrimitives.CosineSimilarity(vector, reference[i]);
            TestContext.Current.TestOutputHelper?.WriteLine($"{model} {pooling} input {i} ({tokens[i].Count} tokens): cosine {cosine:F7}");
            Assert.True(cosine >= MinimumCosine, $"{model} {pooling} input {i}: cosine {cosine:F7} with llama.cpp");
        }

        // Decoded together or alone, an input gets the same vector.
        for (int i = 0; i < Texts.Length; i++)
        {
            GeneratedEmbeddings<Embedding<float>> alone = await generator.GenerateAsync([Texts[i]]);
            Assert.Equal(ours[i].Vector.ToArray(), alone[0].Vector.ToArray());
        }
    }

    [Fact]
    public async Task MetadataOptionsAndErrors()
    {
        using LocalModel local = ChatModels.Load(contextLength: 32);
        using var generator = local.CreateEmbeddingGenerator();
        var metadata = generator.GetService<EmbeddingGeneratorMetadata>()!;
        Assert.Equal("LlamaGen", metadata.ProviderName);
        Assert.Equal(local.Model.Shape.EmbeddingLength, metadata.DefaultModelDimensions);

        var raw = local.CreateEmbeddingGenerator(new LlamaEmbeddingGeneratorOptions { Normalize = false });
        float norm = TensorPrimitives.Norm((await raw.GenerateAsync(["not normalized"]))[0].Vector.Span);
        Assert.NotEqual(1f, norm, 1e-3f);

        Assert.Contains("Dimensions", (await Assert.ThrowsAsync<NotSupportedException>(() =>
            generator.GenerateAsync(["x"], new EmbeddingGenerationOptions { Dimensions = 3 }))).Message);
        var tooLong = await Assert.ThrowsAsync<ContextLengthException>(() => generator.GenerateAsync(["ok", string.Join(' ', Enumerable.Repeat("word", 60))]));
        Assert.Contains("Input 1", tooLong.Message);
        Assert.Empty(await generator.GenerateAsync([]));
    }
}
