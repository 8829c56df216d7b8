using System.Text;
using LlamaGen.Rag.Documents;
using LlamaGen.Rag.Tests.Support;

namespace LlamaGen.Rag.Tests;

public sealed class DocumentReaderTests
{
    private readonly DocumentReader _reader = new();

    private SourceDocument Read(string name, string content) => _reader.Read(name, Encoding.UTF8.GetBytes(content));

    [Fact]
    public void Text_file_keeps_paragraphs_and_takes_its_first_line_as_title()
    {
        var document = Read("notes.txt", "\uFEFFMy Title  \r\n\r\n\r\nFirst paragraph,\r\nsecond line.\r\n\r\nSecond paragraph.\n");
        Assert.Equal("My Title", document.Title);
        Assert.Equal("My Title\n\nFirst paragraph,\nsecond line.\n\nSecond paragraph.", document.Text);
        Assert.Empty(document.PageStarts);
    }

    [Fact]
    public void Markdown_becomes_plain_text_blocks_with_the_first_heading_as_title()
    {
        var document = Read("a.md", "Intro line with *emphasis* and a [link](http://x.example).\n\n# The Heading\n\n- item **one**\n- item `two`\n\n```\ncode block\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n<div>raw html</div>\n");
        Assert.Equal("The Heading", document.Title);
        Assert.Equal("Intro line with emphasis and a link.\n\nThe Heading\n\nitem one\n\nitem two\n\ncode block\n\na | b\n\n1 | 2", document.Text);
    }

    [Fact]
    public void Html_drops_scripts_styles_and_navigation_and_keeps_blocks_as_paragraphs()
    {
        var document = Read("p.html", """
            <html><head><title> Page  Title </title><style>p { color: red }</style></head>
            <body><nav>Home | About</nav><h1>Heading</h1><p>Some   <b>bold</b>
            text.</p><script>alert(1)</script><ul><li>one</li><li>two</li></ul>
            <table><tr><td>x</td><td>y</td></tr></table><pre>  keep
              spacing</pre>caf&eacute;</body></html>
            """);
        Assert.Equal("Page Title", document.Title);
        Assert.Equal("Heading\n\nSome bold text.\n\none\n\ntwo\n\nx | y\n\nkeep\n  spacing\n\ncafé", document.Text);
    }

    [Fact]
    public void Html_without_title_uses_its_first_h1()
    {
        Assert.Equal("Only Heading", Read("p.htm", "<body><h1>Only Heading</h1><p>x</p></body>").Title);
    }

    [Fact]
    public void Pdf_text_comes_back_by_paragraph_with_pages_recorded()
    {
        string source = "A Long Title\n\n" + string.Join("\n\n", Enumerable.Range(1, 30).Select(i => $"Paragraph {i} says something about topic {i}. It has two sentences."));
        var document = _reader.Read("long.pdf", PdfFixtureWriter.Write(source));
        Assert.Equal("A Long Title", document.Title);
        Assert.Equal(source, document.Text);
        Assert.True(document.PageStarts.Count >= 2, $"expected two pages or more, got {document.PageStarts.Count}");
        Assert.Equal(1, document.PageAt(0));
        Assert.Equal(document.PageStarts.Count, document.PageAt(document.Text.Length - 1));
    }

    [Fact]
    public void Corrupt_pdf_is_refused_naming_the_file()
    {
        var bytes = PdfFixtureWriter.Write("Title\n\nBody text.");
        var corrupt = bytes.AsSpan(0, bytes.Length / 3).ToArray(); // truncated: no cross-reference table, no trailer
        var e = Assert.Throws<DocumentReadException>(() => _reader.Read("docs/broken.pdf", corrupt));
        Assert.Contains("'docs/broken.pdf'", e.Message);
        Assert.Contains("PDF", e.Message);
    }

    [Fact]
    public void Garbage_with_a_pdf_extension_is_refused_naming_the_file()
    {
        var e = Assert.Throws<DocumentReadException>(() => _reader.Read("fake.pdf", Encoding.ASCII.GetBytes("this is not a PDF at all")));
        Assert.Equal("fake.pdf", e.Path);
    }

    [Fact]
    public void Invalid_utf8_is_refused_with_the_byte_offset()
    {
        var e = Assert.Throws<DocumentReadException>(() => _reader.Read("latin1.txt", [(byte)'c', (byte)'a', (byte)'f', 0xE9, (byte)'!']));
        Assert.Contains("'latin1.txt'", e.Message);
        Assert.Contains("not valid UTF-8 (byte offset 3)", e.Message);
    }

    [Fact]
    public void Unreadable_file_is_refused_naming_it()
    {
        using var temp = new TempFolder();
        string link = temp["dangling.txt"];
        File.CreateSymbolicLink(link, temp["does-not-exist.txt"]);
        var e = Assert.Throws<DocumentReadException>(() => DocumentReader.ReadBytes(link));
        Assert.Contains(link, e.Message);
        Assert.Contains("cannot be read", e.Message);
    }

    [Fact]
    public void Every_corpus_file_reads_with_a_title_and_text()
    {
        var files = Directory.EnumerateFiles(Fixtures.Corpus, "*", SearchOption.AllDirectories).ToList();
        Assert.True(files.Count >= 24, $"corpus has {files.Count} files");
        foreach (string ext in (string[])[".txt", ".md", ".html", ".pdf"])
            Assert.True(files.Count(f => f.EndsWith(ext, StringComparison.Ordinal)) >= 5, $"fewer than 5 {ext} files");
        foreach (string file in files)
        {
            var document = _reader.Read(file, File.ReadAllBytes(file));
            Assert.False(string.IsNullOrWhiteSpace(document.Title), file);
            Assert.True(document.Text.Length > 500, $"{file}: {document.Text.Length} characters");
        }
    }
}
