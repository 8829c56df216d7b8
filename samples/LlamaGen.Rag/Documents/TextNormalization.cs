using System.Text;

namespace LlamaGen.Rag.Documents;

/// <summary>Shared clean-up of extracted text: one line-break convention, paragraphs separated by exactly one blank line.</summary>
internal static class TextNormalization
{
    /// <summary>Strict UTF-8 (a BOM is dropped): a file in another encoding is reported rather than silently garbled.</summary>
    public static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static string DecodeUtf8(byte[] content)
    {
        int start = content.Length >= 3 && content[0] == 0xEF && content[1] == 0xBB && content[2] == 0xBF ? 3 : 0;
        return StrictUtf8.GetString(content, start, content.Length - start);
    }

    /// <summary>
    /// "\r\n" and "\r" become "\n", trailing spaces go, runs of blank lines collapse to one, and the text is trimmed, so
    /// the chunker sees paragraphs the same way whatever the source format.
    /// </summary>
    public static string Paragraphs(string text)
    {
        var lines = text.Replace("\r\n", "\n").Replace('\r', '\n').Split('\n');
        var result = new StringBuilder(text.Length);
        bool pendingBlank = false;
        foreach (string raw in lines)
        {
            string line = raw.TrimEnd();
            if (line.Trim().Length == 0)
            {
                pendingBlank = result.Length > 0;
                continue;
            }
            if (result.Length > 0)
                result.Append(pendingBlank ? "\n\n" : "\n");
            result.Append(line);
            pendingBlank = false;
        }
        return result.ToString();
    }

    /// <summary>The first non-empty line, shortened, or the file name without its extension.</summary>
    public static string TitleFromFirstLine(string text, string fileName)
    {
        foreach (string line in text.Split('\n'))
        {
            string trimmed = line.Trim();
            if (trimmed.Length > 0)
                return trimmed.Length <= 120 ? trimmed : trimmed[..120];
        }
        return Path.GetFileNameWithoutExtension(fileName);
    }
}
