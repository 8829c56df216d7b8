using System.Text;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace LlamaGen.Rag.Documents;

/// <summary>.html/.htm: AngleSharp's DOM to text, block elements as paragraphs, scripts, styles and navigation left out; &lt;title&gt; (else the first &lt;h1&gt;) is the title.</summary>
public sealed class HtmlFormat : IDocumentFormat
{
    private static readonly HashSet<string> Skipped = new(StringComparer.OrdinalIgnoreCase)
        { "script", "style", "noscript", "template", "nav", "head", "svg", "iframe", "form", "button" };

    // Elements that end a paragraph: their text never runs into the next element's.
    private static readonly HashSet<string> Blocks = new(StringComparer.OrdinalIgnoreCase)
    {
        "p", "div", "section", "article", "main", "header", "footer", "aside", "h1", "h2", "h3", "h4", "h5", "h6",
        "li", "ul", "ol", "dl", "dt", "dd", "blockquote", "pre", "table", "tr", "figure", "figcaption", "hr", "address",
    };

    public IReadOnlyList<string> Extensions { get; } = [".html", ".htm"];

    public SourceDocument Read(byte[] content, string fileName)
    {
        var document = new HtmlParser().ParseDocument(TextNormalization.DecodeUtf8(content));
        var paragraphs = new List<string>();
        var current = new StringBuilder();
        if (document.Body is { } body)
            Walk(body, paragraphs, current, preformatted: false);
        Flush(paragraphs, current);
        string text = TextNormalization.Paragraphs(string.Join("\n\n", paragraphs));
        string? title = NonEmpty(document.Title) ?? NonEmpty(document.QuerySelector("h1")?.TextContent);
        return new SourceDocument(title ?? TextNormalization.TitleFromFirstLine(text, fileName), text, []);
    }

    private static void Walk(INode node, List<string> paragraphs, StringBuilder current, bool preformatted)
    {
        foreach (var child in node.ChildNodes)
        {
            if (child is IText textNode)
            {
                current.Append(preformatted ? textNode.Data : CollapseWhitespace(textNode.Data));
                continue;
            }
            if (child is not IElement element || Skipped.Contains(element.LocalName))
                continue;
            if (element.LocalName.Equals("br", StringComparison.OrdinalIgnoreCase))
            {
                current.Append(preformatted ? "\n" : " ");
                continue;
            }
            bool block = Blocks.Contains(element.LocalName);
            if (block) Flush(paragraphs, current);
            Walk(element, paragraphs, current, preformatted || element.LocalName.Equals("pre", StringComparison.OrdinalIgnoreCase));
            if (element.LocalName is "td" or "th") current.Append(" | ");
            if (block) Flush(paragraphs, current);
        }
    }

    private static void Flush(List<string> paragraphs, StringBuilder current)
    {
        string paragraph = current.ToString().Trim().TrimEnd('|').Trim();
        if (paragraph.Length > 0) paragraphs.Add(paragraph);
        current.Clear();
    }

    private static string CollapseWhitespace(string text)
    {
        var result = new StringBuilder(text.Length);
        bool space = false;
        foreach (char c in text)
        {
            if (char.IsWhiteSpace(c)) { space = true; continue; }
            if (space) result.Append(' ');
            result.Append(c);
            space = false;
        }
        if (space) result.Append(' ');
        return result.ToString();
    }

    private static string? NonEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : CollapseWhitespace(text).Trim();
}
