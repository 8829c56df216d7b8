using LlamaGen.Rag.Documents;
using LlamaGen.Rag.Tests.Support;

namespace LlamaGen.Rag.Tests;

/// <summary>
/// The corpus PDFs are made from CorpusSources/*.txt by <see cref="PdfFixtureWriter"/> and committed. This checks that
/// each still reads back as its source; after editing a source, regenerate with
/// <c>LLAMAGEN_WRITE_CORPUS_PDFS=1 dotnet test tests/LlamaGen.Rag.Tests -c Release -- --filter-class "*CorpusPdfTests"</c>.
/// </summary>
public sealed class CorpusPdfTests
{
    public static TheoryData<string> Sources() => new(Directory.EnumerateFiles(Fixtures.CorpusSources, "*.txt").Select(Path.GetFileNameWithoutExtension).Order()!);

    [Theory]
    [MemberData(nameof(Sources))]
    public void Corpus_pdf_reads_back_as_its_source(string name)
    {
        string source = File.ReadAllText(Path.Combine(Fixtures.CorpusSources, name + ".txt"));
        string pdfPath = Path.Combine(Fixtures.Corpus, "pdf", name + ".pdf");
        if (Environment.GetEnvironmentVariable("LLAMAGEN_WRITE_CORPUS_PDFS") == "1")
            File.WriteAllBytes(pdfPath, PdfFixtureWriter.Write(source));

        var document = new PdfFormat().Read(File.ReadAllBytes(pdfPath), name + ".pdf");

        var expected = source.Replace("\r\n", "\n").Trim().Split("\n\n").Select(p => p.Replace('\n', ' ').Trim()).ToList();
        Assert.Equal(expected[0], document.Title);
        Assert.Equal(string.Join("\n\n", expected), document.Text);
    }
}
