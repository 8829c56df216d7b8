using System.Text;
using Markdig;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace LlamaGen.Rag.Documents;

/// <summary>.md: Markdig's syntax tree to text, one paragraph per block (headings, paragraphs, list items, code, table rows); the first heading is the title.</summary>
public sealed class MarkdownFormat : IDocumentFormat
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().UseAdvancedExtensions().Build();

    public IReadOnlyList<string> Extensions { get; } = [".md", ".markdown"];

    public SourceDocument Read(byte[] content, string fileName)
    {
        var document = Markdown.Parse(TextNormalization.DecodeUtf8(content), Pipeline);
        var paragraphs = new List<string>();
        string? title = null;
        foreach (var block in document)
            AppendBlock(block, paragraphs, ref title);
        string text = TextNormalization.Paragraphs(string.Join("\n\n", paragraphs));
        return new SourceDocument(title ?? TextNormalization.TitleFromFirstLine(text, fileName), text, []);
    }

    private static void AppendBlock(Block block, List<string> paragraphs, ref string? title)
    {
        switch (block)
        {
            case HeadingBlock heading:
                string headingText = InlineText(heading.Inline);
                title ??= headingText;
                paragraphs.Add(headingText);
                break;
            case ParagraphBlock paragraph:
                paragraphs.Add(InlineText(paragraph.Inline));
                break;
            case CodeBlock code: // fenced and indented
                paragraphs.Add(code.Lines.ToString());
                break;
            case Markdig.Extensions.Tables.Table table:
                foreach (var row in table.OfType<Markdig.Extensions.Tables.TableRow>())
                    paragraphs.Add(string.Join(" | ", row.OfType<Markdig.Extensions.Tables.TableCell>()
                        .Select(cell => string.Join(" ", cell.OfType<ParagraphBlock>().Select(p => InlineText(p.Inline))))));
                break;
            case HtmlBlock:
            case ThematicBreakBlock:
                break; // raw HTML in Markdown is markup, not prose
            case ContainerBlock container: // lists, list items, quotes
                foreach (var child in container)
                    AppendBlock(child, paragraphs, ref title);
                break;
        }
    }

    private static string InlineText(ContainerInline? inline)
    {
        if (inline is null) return "";
        var text = new StringBuilder();
        AppendInline(inline, text);
        return text.ToString().Trim();
    }

    private static void AppendInline(Inline inline, StringBuilder text)
    {
        switch (inline)
        {
            case LiteralInline literal:
                text.Append(literal.Content.ToString());
                break;
            case CodeInline code:
                text.Append(code.Content);
                break;
            case LineBreakInline:
                text.Append(' ');
                break;
            case AutolinkInline autolink:
                text.Append(autolink.Url);
                break;
            case HtmlEntityInline entity:
                text.Append(entity.Transcoded.ToString());
                break;
            case HtmlInline:
                break;
            case ContainerInline container: // emphasis, links (their text, not their URL)
                foreach (var child in container)
                    AppendInline(child, text);
                break;
        }
    }
}
