using LlamaGen.Rag.Evaluation;
using LlamaGen.Rag.Composition;
using LlamaGen.Rag.Retrieval;
using LlamaGen.Rag.Storage;
using LlamaGen.Rag.TestDoubles;
using LlamaGen.Rag.Tests.Support;

namespace LlamaGen.Rag.Tests;

/// <summary>
/// Retrieval over the bundled corpus and questions with the TEST-DOUBLE embedder (hashed bag of words): it measures
/// the pipeline (chunking, BM25, fusion), not a model. The same measurement with a fixture model is
/// <see cref="EndToEndAcceptanceTests"/>, which runs once the LlamaGen adapters are wired.
/// </summary>
public sealed class RetrievalQualityTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Hybrid_retrieval_finds_the_answering_passage_in_the_top_5_for_at_least_90_percent_of_the_questions()
    {
        string corpus = _temp.CopyCorpus();
        string storePath = _temp["rag.db"];
        await IngestHarness.IngestAsync(storePath, corpus);
        var questions = EvaluationQuestion.Load(Fixtures.Questions);
        Assert.True(questions.Count >= 40, $"{questions.Count} questions");

        using var store = RagStore.Open(storePath, readOnly: true);
        var embeddings = new HashedBagOfWordsEmbeddingGenerator();
        var scores = new Dictionary<(RetrievalMode, HybridFusion), RetrievalScores>();
        foreach (var fusion in Enum.GetValues<HybridFusion>())
        {
            using var passages = PassageStoreFactory.Create(store, embeddings, fusion: new HybridFusionOptions(fusion));
            var retriever = new PassageRetriever(passages, embeddings);
            foreach (var mode in Enum.GetValues<RetrievalMode>())
            {
                if (mode != RetrievalMode.Hybrid && fusion != HybridFusion.Convex) continue; // fusion changes hybrid only
                scores[(mode, fusion)] = await RetrievalScores.MeasureAsync(retriever, mode, questions);
                TestContext.Current.TestOutputHelper?.WriteLine($"hashed bag of words, --fusion {fusion}: {scores[(mode, fusion)]}");
            }
        }

        // With vectors that mean nothing (a random-weight model's are close to that), fusion can only dilute BM25.
        var random = new RandomEmbeddingGenerator(8);
        string randomStore = _temp["random.db"];
        var (randomReport, _) = await IngestHarness.IngestAsync(randomStore, corpus, embeddings: null, model: IngestHarness.Model with { Dimensions = 8, ModelId = "test-double:random" }, generator: random);
        TestContext.Current.TestOutputHelper?.WriteLine($"random 8-d vectors: {randomReport.Calibration}");
        Assert.True(randomReport.Calibration!.Weights.Vector <= 0.25, randomReport.Calibration.ToString());
        var randomScores = new Dictionary<HybridFusion, RetrievalScores>();
        using (var storeOfRandom = RagStore.Open(randomStore, readOnly: true))
        {
            foreach (var fusion in Enum.GetValues<HybridFusion>())
            {
                using var randomPassages = PassageStoreFactory.Create(storeOfRandom, random, fusion: new HybridFusionOptions(fusion));
                var randomRetriever = new PassageRetriever(randomPassages, random);
                randomScores[fusion] = await RetrievalScores.MeasureAsync(randomRetriever, RetrievalMode.Hybrid, questions);
                TestContext.Current.TestOutputHelper?.WriteLine($"random 8-d vectors, --fusion {fusion}: {randomScores[fusion]}");
            }
            using var vectorsOnly = PassageStoreFactory.Create(storeOfRandom, random);
            TestContext.Current.TestOutputHelper?.WriteLine($"random 8-d vectors, {await RetrievalScores.MeasureAsync(new PassageRetriever(vectorsOnly, random), RetrievalMode.Vector, questions)}");
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"hashed bag of words: {store.FusionWeights}");
        foreach (var fusion in Enum.GetValues<HybridFusion>())
        {
            var hybrid = scores[(RetrievalMode.Hybrid, fusion)];
            Assert.True(hybrid.RecallAt5 >= 0.9, $"--fusion {fusion}: {hybrid}; missed: {string.Join("; ", hybrid.Misses)}");
        }
        var convexWithNoise = randomScores[HybridFusion.Convex];
        Assert.True(convexWithNoise.RecallAt5 >= 0.9, $"random vectors, --fusion convex: {convexWithNoise}; missed: {string.Join("; ", convexWithNoise.Misses)}");
        Assert.True(scores[(RetrievalMode.Keyword, HybridFusion.Convex)].RecallAt5 >= 0.8, scores[(RetrievalMode.Keyword, HybridFusion.Convex)].ToString());
    }
}
