namespace LlamaGen.Rag.Documents;

/// <summary>.txt: UTF-8 text; the first line is the title.</summary>
public sealed class PlainTextFormat : IDocumentFormat
{
    public IReadOnlyList<string> Extensions { get; } = [".txt"];

    public SourceDocument Read(byte[] content, string fileName)
    {
        string text = TextNormalization.Paragraphs(TextNormalization.DecodeUtf8(content));
        return new SourceDocument(TextNormalization.TitleFromFirstLine(text, fileName), text, []);
    }
}
