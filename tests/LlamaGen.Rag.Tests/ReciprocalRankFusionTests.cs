using LlamaGen.Rag.Retrieval;

namespace LlamaGen.Rag.Tests;

public sealed class ReciprocalRankFusionTests
{
    [Fact]
    public void Scores_are_sums_of_reciprocal_ranks()
    {
        var fused = ReciprocalRankFusion.Fuse([["a", "b", "c"], ["c", "a"]], k: 60);
        var scores = fused.ToDictionary(p => p.Key, p => p.Score);
        Assert.Equal(1.0 / 61 + 1.0 / 62, scores["a"], 12);
        Assert.Equal(1.0 / 62, scores["b"], 12);
        Assert.Equal(1.0 / 63 + 1.0 / 61, scores["c"], 12);
        Assert.Equal(["a", "c", "b"], fused.Select(p => p.Key));
    }

    [Fact]
    public void An_item_in_both_rankings_beats_the_top_of_one()
    {
        var fused = ReciprocalRankFusion.Fuse([["x", "both"], ["y", "both"]]);
        Assert.Equal("both", fused[0].Key);
    }

    [Fact]
    public void Ties_keep_the_order_of_first_appearance()
    {
        var fused = ReciprocalRankFusion.Fuse([["a", "b"], ["c", "d"]]);
        Assert.Equal(["a", "c", "b", "d"], fused.Select(p => p.Key));
    }

    [Fact]
    public void Empty_rankings_fuse_to_nothing_and_one_ranking_keeps_its_order()
    {
        Assert.Empty(ReciprocalRankFusion.Fuse<string>([[], []]));
        Assert.Equal([3, 1, 2], ReciprocalRankFusion.Fuse([new[] { 3, 1, 2 }]).Select(p => p.Key));
    }

    [Fact]
    public void Weights_scale_each_rankings_contribution()
    {
        var fused = ReciprocalRankFusion.Fuse([((IReadOnlyList<string>)["noise", "b"], 0.1), (["a", "b"], 1.0)], k: 60);
        var scores = fused.ToDictionary(p => p.Key, p => p.Score);
        Assert.Equal(0.1 / 61, scores["noise"], 12);
        Assert.Equal(0.1 / 62 + 1.0 / 62, scores["b"], 12);
        Assert.Equal(["b", "a", "noise"], fused.Select(p => p.Key)); // b is second in both
    }
}
