namespace LlamaGen.Rag.Chunking;

/// <summary>A piece the chunker never cuts inside: a sentence, or a word or grapheme run of an over-long sentence.</summary>
/// <param name="Start">First character (no leading whitespace).</param>
/// <param name="End">One past the last character (no trailing whitespace).</param>
/// <param name="EndsParagraph">A blank line (or the end of the text) follows: the preferred place to end a passage.</param>
internal readonly record struct TextUnit(int Start, int End, bool EndsParagraph);
