namespace LlamaGen.Tokenization;

/// <summary>
/// One step of a BPE pre-tokenizer, as llama.cpp's <c>unicode_regex_split</c> chains them: the text is a sequence of
/// chunks (code point counts that add up to the whole), and each step cuts every chunk further, keeping both what its
/// pattern matches and the gaps between matches, so the chunks always cover the text.
/// </summary>
internal interface IWordSplitter
{
    /// <summary>Cuts each chunk of <paramref name="codePoints"/> listed in <paramref name="chunks"/> and appends the
    /// resulting chunk lengths, in order, to <paramref name="output"/>.</summary>
    void Split(ReadOnlySpan<int> codePoints, List<int> chunks, List<int> output);
}
