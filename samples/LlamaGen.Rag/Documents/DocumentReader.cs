using System.Text;

namespace LlamaGen.Rag.Documents;

/// <summary>Reads the supported files (.txt, .md, .html/.htm, .pdf) into text; anything that fails becomes a <see cref="DocumentReadException"/>.</summary>
public sealed class DocumentReader
{
    private readonly Dictionary<string, IDocumentFormat> _byExtension = new(StringComparer.OrdinalIgnoreCase);

    public DocumentReader() : this([new PlainTextFormat(), new MarkdownFormat(), new HtmlFormat(), new PdfFormat()]) { }

    public DocumentReader(IEnumerable<IDocumentFormat> formats)
    {
        foreach (var format in formats)
            foreach (string extension in format.Extensions)
                _byExtension[extension] = format;
    }

    /// <summary>Every extension read, for messages and file enumeration.</summary>
    public IReadOnlyCollection<string> Extensions => _byExtension.Keys;

    public bool IsSupported(string path) => _byExtension.ContainsKey(Path.GetExtension(path));

    /// <summary>The file's bytes, so the caller can hash exactly what it reads.</summary>
    public static byte[] ReadBytes(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DocumentReadException(path, $"cannot be read: {e.Message}", e);
        }
    }

    /// <summary>Parses <paramref name="content"/> (the bytes of <paramref name="path"/>) by the file's extension.</summary>
    public SourceDocument Read(string path, byte[] content)
    {
        if (!_byExtension.TryGetValue(Path.GetExtension(path), out var format))
            throw new DocumentReadException(path, $"unsupported extension (reads {string.Join(", ", _byExtension.Keys.Order())})");
        try
        {
            return format.Read(content, Path.GetFileName(path));
        }
        catch (DocumentReadException)
        {
            throw;
        }
        catch (DecoderFallbackException e)
        {
            throw new DocumentReadException(path, $"is not valid UTF-8 (byte offset {e.Index})", e);
        }
        catch (Exception e)
        {
            // PdfPig and the HTML/Markdown parsers throw many types for a damaged file; all mean "not readable as this format".
            throw new DocumentReadException(path, $"is not a readable {format.Extensions[0][1..].ToUpperInvariant()} file: {FirstLine(e.Message)}", e);
        }
    }

    private static string FirstLine(string message)
    {
        int newline = message.IndexOfAny(['\r', '\n']);
        return newline >= 0 ? message[..newline] : message;
    }
}
