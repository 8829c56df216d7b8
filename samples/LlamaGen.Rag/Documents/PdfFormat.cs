using System.Text;
using UglyToad.PdfPig;
using UglyToad.PdfPig.Content;

namespace LlamaGen.Rag.Documents;

/// <summary>
/// .pdf: PdfPig's words, regrouped into lines by baseline and into paragraphs by vertical gaps, page by page (each page
/// starts a paragraph); the metadata title, else the first line, is the title. A PDF has no paragraphs, only
/// positioned words: joining a paragraph's lines with spaces keeps the chunker from taking each wrapped line for a
/// sentence.
/// </summary>
public sealed class PdfFormat : IDocumentFormat
{
    // A gap between baselines of more than 1.5 times the font size ends a paragraph: ordinary leading is 1.2 to 1.4
    // times it, a blank line between paragraphs twice that. (The page's usual gap cannot tell: on a page of one-line
    // paragraphs every gap is a paragraph gap.)
    private const double ParagraphGapFactor = 1.5;

    public IReadOnlyList<string> Extensions { get; } = [".pdf"];

    public SourceDocument Read(byte[] content, string fileName)
    {
        using var document = PdfDocument.Open(content);
        var text = new StringBuilder();
        var pageStarts = new List<int>();
        foreach (var page in document.GetPages())
        {
            string pageText = TextNormalization.Paragraphs(PageText(page));
            if (text.Length > 0) text.Append("\n\n");
            pageStarts.Add(text.Length);
            text.Append(pageText);
        }
        string all = text.ToString();
        string? title = string.IsNullOrWhiteSpace(document.Information.Title) ? null : document.Information.Title.Trim();
        return new SourceDocument(title ?? TextNormalization.TitleFromFirstLine(all, fileName), all, pageStarts);
    }

    private static string PageText(Page page)
    {
        var lines = new List<(double Baseline, double FontSize, List<Word> Words)>();
        foreach (var word in page.GetWords().OrderByDescending(w => w.BoundingBox.Bottom).ThenBy(w => w.BoundingBox.Left))
        {
            double height = Math.Max(word.BoundingBox.Height, 1);
            double fontSize = word.Letters.Count > 0 ? word.Letters.Max(l => l.PointSize) : height;
            if (lines.Count > 0 && Math.Abs(lines[^1].Baseline - word.BoundingBox.Bottom) < height * 0.5)
            {
                lines[^1].Words.Add(word);
                lines[^1] = lines[^1] with { FontSize = Math.Max(lines[^1].FontSize, fontSize) };
            }
            else
                lines.Add((word.BoundingBox.Bottom, fontSize, [word]));
        }
        var text = new StringBuilder();
        for (int i = 0; i < lines.Count; i++)
        {
            if (i > 0)
            {
                double gap = lines[i - 1].Baseline - lines[i].Baseline;
                text.Append(gap > ParagraphGapFactor * Math.Max(lines[i - 1].FontSize, lines[i].FontSize) ? "\n\n" : " ");
            }
            text.AppendJoin(' ', lines[i].Words.OrderBy(w => w.BoundingBox.Left).Select(w => w.Text));
        }
        return text.ToString();
    }
}
