namespace LlamaGen.Tokenization;

/// <summary>A pre-tokenizer step that llama.cpp implements as a hand-written scanner rather than a regex: it walks each
/// chunk on its own (see <see cref="ChunkCursor"/>).</summary>
internal abstract class ChunkScanner : IWordSplitter
{
    public void Split(ReadOnlySpan<int> codePoints, List<int> chunks, List<int> output)
    {
        int start = 0;
        foreach (int length in chunks)
        {
            SplitChunk(new ChunkCursor(codePoints, start, start + length, output));
            start += length;
        }
    }

    /// <summary>Emits the words of one chunk, in order, through <see cref="ChunkCursor.AddWord"/>.</summary>
    protected abstract void SplitChunk(ChunkCursor text);
}
