namespace LlamaGen.Rag.Documents;

/// <summary>One file format the sample reads: its extensions and how its bytes become <see cref="SourceDocument"/> text.</summary>
public interface IDocumentFormat
{
    /// <summary>Lower-case extensions with the dot (".md").</summary>
    IReadOnlyList<string> Extensions { get; }

    /// <summary>The document's text; throws (any exception) when the bytes are not a valid file of this format.</summary>
    SourceDocument Read(byte[] content, string fileName);
}
