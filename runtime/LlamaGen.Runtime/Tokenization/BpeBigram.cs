namespace LlamaGen.Tokenization;

/// <summary>
/// A BPE merge candidate: two adjacent symbols (<paramref name="Length"/> characters together) that the rule of
/// <paramref name="Rank"/> merges. Ordered as llama.cpp's <c>llm_bigram_bpe::comparator</c> (lowest rank first, equal
/// ranks leftmost first).
/// </summary>
internal readonly record struct BpeBigram(int Rank, int Left, int Right, int Length) : IHeapOrder<BpeBigram>
{
    public static bool Before(in BpeBigram a, in BpeBigram b) => a.Rank < b.Rank || (a.Rank == b.Rank && a.Left < b.Left);
}
