namespace LlamaGen.Rag.Documents;

/// <summary>The plain text of one file, ready for the chunker.</summary>
/// <param name="Title">The document's own title (Markdown heading, HTML &lt;title&gt;, PDF metadata), else its first line, else the file name.</param>
/// <param name="Text">Paragraphs separated by blank lines ("\n\n"); line breaks inside a paragraph are single "\n".</param>
/// <param name="PageStarts">For PDFs: the offset in <paramref name="Text"/> where each page starts (page 1 first); empty otherwise.</param>
public sealed record SourceDocument(string Title, string Text, IReadOnlyList<int> PageStarts)
{
    /// <summary>The 1-based page holding <paramref name="offset"/>, or null for formats without pages.</summary>
    public int? PageAt(int offset)
    {
        if (PageStarts.Count == 0) return null;
        int page = 1;
        for (int i = 1; i < PageStarts.Count && PageStarts[i] <= offset; i++) page = i + 1;
        return page;
    }
}
