namespace LlamaGen.Rag.Chunking;

/// <summary>One passage of a document.</summary>
/// <param name="Position">0-based ordinal of the passage in its document.</param>
/// <param name="Start">Offset of the passage's first character in the document text.</param>
/// <param name="Length">Characters; <c>Text == documentText.Substring(Start, Length)</c>.</param>
/// <param name="TokenCount">The tokenizer's count of <paramref name="Text"/>.</param>
public sealed record TextChunk(int Position, int Start, int Length, string Text, int TokenCount);
