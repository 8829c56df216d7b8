using System.Text;
using UglyToad.PdfPig;
using UglyToad.PdfPig.DocumentLayoutAnalysis.TextExtractor;

namespace LlamaGen.Rag.Documents;

/// <summary>.pdf: PdfPig's text in reading order, page by page (each page starts a paragraph); the metadata title, else the first line, is the title.</summary>
public sealed class PdfFormat : IDocumentFormat
{
    public IReadOnlyList<string> Extensions { get; } = [".pdf"];

    public SourceDocument Read(byte[] content, string fileName)
    {
        using var document = PdfDocument.Open(content);
        var text = new StringBuilder();
        var pageStarts = new List<int>();
        foreach (var page in document.GetPages())
        {
            string pageText = TextNormalization.Paragraphs(ContentOrderTextExtractor.GetText(page));
            if (text.Length > 0) text.Append("\n\n");
            pageStarts.Add(text.Length);
            text.Append(pageText);
        }
        string all = text.ToString();
        string? title = string.IsNullOrWhiteSpace(document.Information.Title) ? null : document.Information.Title.Trim();
        return new SourceDocument(title ?? TextNormalization.TitleFromFirstLine(all, fileName), all, pageStarts);
    }
}
