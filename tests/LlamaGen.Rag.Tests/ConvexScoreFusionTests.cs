using LlamaGen.Rag.Retrieval;

namespace LlamaGen.Rag.Tests;

public sealed class ConvexScoreFusionTests
{
    private static readonly (string, double)[] Bm25 = [("a", 9.0), ("b", 6.0), ("c", 3.0), ("d", 1.0)];

    [Fact]
    public void A_retriever_with_equal_similarity_for_every_candidate_leaves_bm25s_order_unchanged()
    {
        // "v" is a vector candidate BM25 did not find: with nothing to tell it apart semantically, it comes last.
        (string, double)[] constant = [("d", 0.7), ("v", 0.7), ("a", 0.7), ("c", 0.7), ("b", 0.7)];
        var fused = ConvexScoreFusion.Fuse(constant, Bm25);
        Assert.Equal(["a", "b", "c", "d", "v"], fused.Select(p => p.Key));
    }

    [Fact]
    public void Clustered_cosines_move_only_near_ties_of_bm25_while_spread_ones_reorder_it()
    {
        // Cosines in 0.97..0.99 (a model whose embeddings say little) are 1 % apart once normalized from -1: they cannot
        // lift "d" over "a", whose BM25 is nine times higher, but they do break a near tie.
        (string, double)[] clustered = [("d", 0.99), ("c", 0.985), ("b", 0.98), ("a", 0.97)];
        Assert.Equal(["a", "b", "c", "d"], ConvexScoreFusion.Fuse(clustered, Bm25).Select(p => p.Key));
        Assert.Equal(["b", "a"], ConvexScoreFusion.Fuse([("b", 0.99), ("a", 0.97)], [("a", 5.0), ("b", 4.99)]).Select(p => p.Key));

        // Cosines spread over the range (a model that separates the candidates) weigh as much as BM25: they turn its order over.
        (string, double)[] spread = [("d", 0.9), ("c", 0.2), ("b", -0.4), ("a", -0.9)];
        Assert.Equal("d", ConvexScoreFusion.Fuse(spread, Bm25)[0].Key);
    }

    [Fact]
    public void Two_agreeing_retrievers_keep_their_order_and_the_best_scores_one()
    {
        (string, double)[] cosines = [("a", 0.9), ("b", 0.6), ("c", 0.3), ("d", 0.1)];
        var fused = ConvexScoreFusion.Fuse(cosines, Bm25);
        Assert.Equal(["a", "b", "c", "d"], fused.Select(p => p.Key));
        Assert.Equal(1.0, fused[0].Score, 12);
        Assert.All(fused, p => Assert.InRange(p.Score, 0, 1));
    }

    [Fact]
    public void Scores_are_the_weighted_sum_of_theoretically_normalized_scores()
    {
        var fused = ConvexScoreFusion.Fuse([("a", 0.5), ("b", 0.0)], [("a", 2.0), ("b", 8.0)], semanticWeight: 0.25)
            .ToDictionary(p => p.Key, p => p.Score);
        // Cosine: (s + 1) / (0.5 + 1); BM25: s / 8.
        Assert.Equal(0.25 * 1.0 + 0.75 * 0.25, fused["a"], 12);
        Assert.Equal(0.25 * (1.0 / 1.5) + 0.75 * 1.0, fused["b"], 12);
    }

    [Fact]
    public void Ties_keep_the_order_of_first_appearance_bm25_first()
    {
        var fused = ConvexScoreFusion.Fuse([("x", 0.5), ("y", 0.5)], [("p", 1.0), ("q", 1.0)]);
        Assert.Equal(["p", "q", "x", "y"], fused.Select(p => p.Key));
    }

    [Fact]
    public void Empty_lists_fuse_to_nothing_and_one_empty_side_keeps_the_others_order()
    {
        Assert.Empty(ConvexScoreFusion.Fuse<string>([], []));
        Assert.Equal(["b", "a"], ConvexScoreFusion.Fuse<string>([("b", 0.2), ("a", -0.3)], []).Select(p => p.Key));
        Assert.Equal(["a", "b", "c", "d"], ConvexScoreFusion.Fuse<string>([], Bm25).Select(p => p.Key));
    }

    [Fact]
    public void A_single_candidate_or_all_equal_scores_never_divide_by_zero()
    {
        var single = ConvexScoreFusion.Fuse([("a", 0.3)], [("a", 4.2)]);
        Assert.Equal(("a", 1.0), single.Single());

        // All BM25 scores equal: BM25 adds the same to each, the cosines decide.
        var equalBm25 = ConvexScoreFusion.Fuse([("a", 0.1), ("b", 0.8)], [("a", 2.0), ("b", 2.0)]);
        Assert.Equal(["b", "a"], equalBm25.Select(p => p.Key));

        // Every score at its theoretical floor (cosine -1, BM25 0), or unusable: 0, not NaN.
        var floor = ConvexScoreFusion.Fuse([("a", -1.0), ("b", double.NaN)], [("a", 0.0), ("b", 0.0)]);
        Assert.All(floor, p => Assert.Equal(0.0, p.Score));
        Assert.Equal(["a", "b"], floor.Select(p => p.Key));
        Assert.All(ConvexScoreFusion.Fuse([("a", double.PositiveInfinity)], [("a", double.NaN)]), p => Assert.True(double.IsFinite(p.Score)));
    }

    [Fact]
    public void The_weight_runs_from_bm25_only_to_vectors_only_and_is_checked()
    {
        (string, double)[] cosines = [("d", 0.9), ("c", 0.5), ("b", 0.1), ("a", 0.0)];
        Assert.Equal(["a", "b", "c", "d"], ConvexScoreFusion.Fuse(cosines, Bm25, semanticWeight: 0).Select(p => p.Key));
        Assert.Equal(["d", "c", "b", "a"], ConvexScoreFusion.Fuse(cosines, Bm25, semanticWeight: 1).Select(p => p.Key));
        Assert.Throws<ArgumentOutOfRangeException>(() => ConvexScoreFusion.Fuse(cosines, Bm25, semanticWeight: 1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => ConvexScoreFusion.Fuse(cosines, Bm25, semanticWeight: double.NaN));
    }

    [Fact]
    public void A_candidate_missing_from_a_list_scores_that_lists_floor()
    {
        var fused = ConvexScoreFusion.Fuse([("a", 1.0)], [("b", 5.0)]).ToDictionary(p => p.Key, p => p.Score);
        Assert.Equal(0.5, fused["a"], 12);
        Assert.Equal(0.5, fused["b"], 12);
    }

    [Fact]
    public void The_calibration_scales_the_semantic_weight_and_equal_weights_leave_it_alone()
    {
        var options = new HybridFusionOptions(SemanticWeight: 0.5);
        Assert.Equal(0.5, options.EffectiveSemanticWeight(FusionWeights.Equal), 12);
        Assert.Equal(0.05 / 1.05, options.EffectiveSemanticWeight(new FusionWeights(0.05, 1)), 12);
        Assert.Equal(0.7, new HybridFusionOptions(SemanticWeight: 0.7).EffectiveSemanticWeight(new FusionWeights(0, 0)), 12);
        Assert.Throws<ArgumentOutOfRangeException>(() => new HybridFusionOptions(SemanticWeight: -0.1).Validate());
    }
}
