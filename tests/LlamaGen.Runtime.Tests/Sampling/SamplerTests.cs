using LlamaGen.Sampling;

namespace LlamaGen.Runtime.Tests.Sampling;

public class SamplerTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void GreedyIsArgMaxWithLowestIdOnTies(int seed)
    {
        float[] logits = ReferenceSampling.RandomLogits(seed, 300);
        // Plant a tie for the maximum at two ids; the lower must win.
        float max = logits.Max() + 1;
        logits[217] = max;
        logits[45] = max;
        var sampler = new Sampler(SamplerOptions.Greedy, logits.Length);

        int expected = Array.IndexOf(logits, logits.Max());
        Assert.Equal(45, expected);
        Assert.Equal(expected, sampler.Sample(logits, []));
    }

    [Theory]
    [InlineData(10)]
    [InlineData(11)]
    public void TopKOneEqualsGreedy(int seed)
    {
        var greedy = new Sampler(SamplerOptions.Greedy, 500);
        var topK1 = new Sampler(new SamplerOptions { Temperature = 1.5f, TopK = 1, TopP = 0.5f, Seed = 7 }, 500);
        for (int step = 0; step < 50; step++)
        {
            float[] logits = ReferenceSampling.RandomLogits(seed * 1000 + step, 500);
            if (step % 5 == 0) logits[499] = logits[3] = logits.Max() + 0.5f; // ties too
            Assert.Equal(greedy.Sample(logits, []), topK1.Sample(logits, []));
        }
    }

    [Fact]
    public void SameSeedGivesSameSequenceAndDifferentSeedsDiffer()
    {
        float[] logits = ReferenceSampling.RandomLogits(5, 64, scale: 1f);
        int[] Run(ulong seed)
        {
            var sampler = new Sampler(new SamplerOptions { Temperature = 1, Seed = seed }, logits.Length);
            return Enumerable.Range(0, 200).Select(_ => sampler.Sample(logits, [])).ToArray();
        }

        Assert.Equal(Run(42), Run(42));
        Assert.NotEqual(Run(42), Run(43));

        var reset = new Sampler(new SamplerOptions { Temperature = 1, Seed = 42 }, logits.Length);
        int[] first = Enumerable.Range(0, 50).Select(_ => reset.Sample(logits, [])).ToArray();
        reset.Reset();
        Assert.Equal(first, Enumerable.Range(0, 50).Select(_ => reset.Sample(logits, [])).ToArray());
    }

    [Fact]
    public void NullSeedPicksARandomSeedAndReportsIt()
    {
        var a = new Sampler(new SamplerOptions { Temperature = 1 }, 8);
        var b = new Sampler(new SamplerOptions { Temperature = 1 }, 8);
        Assert.NotEqual(a.Seed, b.Seed);
    }

    public static TheoryData<string, SamplerOptions> Chains => new()
    {
        { "plain", new SamplerOptions { Temperature = 1 } },
        { "hot", new SamplerOptions { Temperature = 1.7f } },
        { "cold", new SamplerOptions { Temperature = 0.4f } },
        { "top-k", new SamplerOptions { Temperature = 1, TopK = 5 } },
        { "top-p", new SamplerOptions { Temperature = 1, TopP = 0.6f } },
        { "min-p", new SamplerOptions { Temperature = 1, MinP = 0.2f } },
        { "penalty", new SamplerOptions { Temperature = 1, RepetitionPenalty = 1.8f, RepetitionWindow = 4 } },
        { "llama.cpp defaults", new SamplerOptions { Temperature = 0.8f, TopK = 40, TopP = 0.95f, MinP = 0.05f } },
        { "everything", new SamplerOptions { Temperature = 0.7f, TopK = 12, TopP = 0.9f, MinP = 0.1f, RepetitionPenalty = 1.3f, RepetitionWindow = 6 } },
    };

    [Theory]
    [MemberData(nameof(Chains))]
    public void SampleFrequenciesMatchTheFilteredSoftmax(string name, SamplerOptions options)
    {
        const int vocab = 24;
        const int draws = 40_000;
        float[] logits = ReferenceSampling.RandomLogits(name.Length, vocab, scale: 2f);
        // Recent tokens include a positive-logit and a negative-logit token, and one outside a window of 4-6.
        int[] recent = [Array.IndexOf(logits, logits.Max()), Array.IndexOf(logits, logits.Min()), 7, 7, 3, 11, 2];

        double[] expected = ReferenceSampling.FilteredDistribution(logits, recent, options);
        var sampler = new Sampler(options with { Seed = 1234 }, vocab);
        var counts = new int[vocab];
        for (int i = 0; i < draws; i++)
            counts[sampler.Sample(logits, recent)]++;

        for (int id = 0; id < vocab; id++)
        {
            double p = expected[id];
            double frequency = counts[id] / (double)draws;
            if (p == 0)
            {
                Assert.True(counts[id] == 0, $"{name}: token {id} was filtered out but drawn {counts[id]} times");
                continue;
            }
            // Five standard deviations of a binomial proportion: a correct sampler fails this about once in 10^6.
            double tolerance = 5 * Math.Sqrt(p * (1 - p) / draws) + 1e-4;
            Assert.True(Math.Abs(frequency - p) <= tolerance,
                $"{name}: token {id} drawn with frequency {frequency:F4}, expected {p:F4} ± {tolerance:F4}");
        }
    }

    [Fact]
    public void RepetitionPenaltyDividesPositiveAndMultipliesNegativeLogits()
    {
        // Token 0 leads, 1 follows; penalising 0 by 1.5 puts it at 2/1.5 = 1.33 < 1.5.
        var sampler = new Sampler(SamplerOptions.Greedy with { RepetitionPenalty = 1.5f }, 3);
        Assert.Equal(0, sampler.Sample([2.0f, 1.5f, -5f], []));
        Assert.Equal(1, sampler.Sample([2.0f, 1.5f, -5f], [0]));

        // All negative: -1 * 1.5 = -1.5 falls below -1.2, so the penalised token stops winning.
        Assert.Equal(0, sampler.Sample([-1.0f, -1.2f, -5f], []));
        Assert.Equal(1, sampler.Sample([-1.0f, -1.2f, -5f], [0]));

        // Repeating a token in the window does not penalise it twice (2/1.5 = 1.33 > 1.3; 2/2.25 would not be).
        Assert.Equal(0, sampler.Sample([2.0f, 1.3f, -5f], [0, 0, 0]));
    }

    [Fact]
    public void RepetitionPenaltyOnlySeesTheWindow()
    {
        var sampler = new Sampler(SamplerOptions.Greedy with { RepetitionPenalty = 2f, RepetitionWindow = 2 }, 3);
        Assert.Equal(0, sampler.Sample([2.0f, 1.5f, 0f], [0, 2, 2]));
        Assert.Equal(1, sampler.Sample([2.0f, 1.5f, 0f], [2, 0, 2]));
    }

    [Fact]
    public void SampleDoesNotAllocate()
    {
        float[] logits = ReferenceSampling.RandomLogits(9, 4096);
        int[] recent = Enumerable.Range(0, 100).ToArray();
        var sampler = new Sampler(new SamplerOptions { Temperature = 0.8f, TopP = 0.9f, MinP = 0.05f, RepetitionPenalty = 1.1f, Seed = 3 }, logits.Length);
        var topK = new Sampler(new SamplerOptions { Temperature = 0.8f, TopK = 40, TopP = 0.9f, Seed = 3 }, logits.Length);
        sampler.Sample(logits, recent);
        topK.Sample(logits, recent);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++)
        {
            sampler.Sample(logits, recent);
            topK.Sample(logits, recent);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void WrongLogitCountAndOutOfVocabularyRecentTokensAreRejected()
    {
        var sampler = new Sampler(new SamplerOptions { RepetitionPenalty = 1.2f }, 10);
        var count = Assert.Throws<ArgumentException>(() => sampler.Sample(new float[9], []));
        Assert.Contains("10", count.Message);
        Assert.Contains("9", count.Message);
        var id = Assert.Throws<ArgumentOutOfRangeException>(() => sampler.Sample(new float[10], [3, 10]));
        Assert.Contains("10", id.Message);
    }

    public static TheoryData<SamplerOptions, string> BadOptions => new()
    {
        { new SamplerOptions { Temperature = -0.1f }, nameof(SamplerOptions.Temperature) },
        { new SamplerOptions { Temperature = float.NaN }, nameof(SamplerOptions.Temperature) },
        { new SamplerOptions { TopK = -1 }, nameof(SamplerOptions.TopK) },
        { new SamplerOptions { TopP = 0 }, nameof(SamplerOptions.TopP) },
        { new SamplerOptions { TopP = 1.01f }, nameof(SamplerOptions.TopP) },
        { new SamplerOptions { MinP = -0.5f }, nameof(SamplerOptions.MinP) },
        { new SamplerOptions { MinP = 2f }, nameof(SamplerOptions.MinP) },
        { new SamplerOptions { RepetitionPenalty = 0 }, nameof(SamplerOptions.RepetitionPenalty) },
        { new SamplerOptions { RepetitionWindow = -1 }, nameof(SamplerOptions.RepetitionWindow) },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void OutOfRangeOptionsAreRejectedByName(SamplerOptions options, string parameter)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new Sampler(options, 16));
        Assert.Equal(parameter, error.ParamName);
        Assert.Contains(parameter, error.Message);
    }
}
