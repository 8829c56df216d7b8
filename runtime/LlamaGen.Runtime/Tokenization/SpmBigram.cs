namespace LlamaGen.Tokenization;

/// <summary>
/// A SentencePiece merge candidate: two adjacent symbols whose joined text is the piece <paramref name="Id"/>. Ordered as
/// llama.cpp's <c>llm_bigram_spm::comparator</c> (highest score first, equal scores leftmost first).
/// </summary>
internal readonly record struct SpmBigram(float Score, int Left, int Right, int Length, int Id) : IHeapOrder<SpmBigram>
{
    public static bool Before(in SpmBigram a, in SpmBigram b) =>
        a.Score > b.Score || (a.Score == b.Score && a.Left < b.Left);
}
