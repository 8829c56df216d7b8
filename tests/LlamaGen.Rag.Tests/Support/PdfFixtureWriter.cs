using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;

namespace LlamaGen.Rag.Tests.Support;

/// <summary>
/// Writes a text (title line, then paragraphs separated by blank lines) as an A4 PDF with PdfPig's builder: the title in
/// bold, paragraphs wrapped to the text width, a blank line between paragraphs, new pages as needed. Used to make the
/// corpus PDFs and the test PDFs.
/// </summary>
public static class PdfFixtureWriter
{
    private const double Margin = 60, FontSize = 11, TitleSize = 16, Leading = 15;

    public static byte[] Write(string source)
    {
        var paragraphs = source.Replace("\r\n", "\n").Trim().Split("\n\n").Select(p => p.Replace('\n', ' ').Trim()).ToList();
        using var builder = new PdfDocumentBuilder();
        builder.DocumentInformation.Title = paragraphs[0];
        var font = builder.AddStandard14Font(Standard14Font.Helvetica);
        var bold = builder.AddStandard14Font(Standard14Font.HelveticaBold);
        var page = builder.AddPage(PageSize.A4);
        double width = page.PageSize.Width - 2 * Margin;
        double y = page.PageSize.Height - Margin;
        page.AddText(paragraphs[0], TitleSize, new PdfPoint(Margin, y), bold);
        y -= 2 * Leading;
        foreach (string paragraph in paragraphs.Skip(1))
        {
            foreach (string line in Wrap(page, paragraph, width, font))
            {
                if (y < Margin)
                {
                    page = builder.AddPage(PageSize.A4);
                    y = page.PageSize.Height - Margin;
                }
                page.AddText(line, FontSize, new PdfPoint(Margin, y), font);
                y -= Leading;
            }
            y -= Leading; // the blank line that makes it a paragraph
        }
        return builder.Build();
    }

    private static IEnumerable<string> Wrap(PdfPageBuilder page, string paragraph, double width, PdfDocumentBuilder.AddedFont font)
    {
        string line = "";
        foreach (string word in paragraph.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = line.Length == 0 ? word : line + " " + word;
            if (line.Length > 0 && Measure(page, candidate, font) > width)
            {
                yield return line;
                line = word;
            }
            else
                line = candidate;
        }
        if (line.Length > 0) yield return line;
    }

    private static double Measure(PdfPageBuilder page, string text, PdfDocumentBuilder.AddedFont font)
    {
        var letters = page.MeasureText(text, FontSize, new PdfPoint(0, 0), font);
        return letters.Count == 0 ? 0 : letters[^1].EndBaseLine.X - letters[0].StartBaseLine.X;
    }
}
