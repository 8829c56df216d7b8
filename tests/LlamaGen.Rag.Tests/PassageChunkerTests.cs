using System.Globalization;
using LlamaGen.Rag.Chunking;
using LlamaGen.Rag.Documents;
using LlamaGen.Rag.Tests.Support;

namespace LlamaGen.Rag.Tests;

public sealed class PassageChunkerTests
{
    private static PassageChunker Chunker(int max = 64, int overlap = 12) => new(TestTokens.Llama2, new ChunkerOptions(max, overlap));

    private static string Corpus(string relative) => new DocumentReader().Read(relative, File.ReadAllBytes(Path.Combine(Fixtures.Corpus, relative))).Text;

    public static TheoryData<string> CorpusFiles() => new(Directory.EnumerateFiles(Fixtures.Corpus, "*", SearchOption.AllDirectories)
        .Select(f => Path.GetRelativePath(Fixtures.Corpus, f)).Order());

    [Theory]
    [MemberData(nameof(CorpusFiles))]
    public void Passages_stay_within_the_token_bound_and_point_into_the_text(string file)
    {
        string text = Corpus(file);
        var chunks = Chunker().Split(text);
        Assert.NotEmpty(chunks);
        for (int i = 0; i < chunks.Count; i++)
        {
            var chunk = chunks[i];
            Assert.Equal(i, chunk.Position);
            Assert.Equal(text.Substring(chunk.Start, chunk.Length), chunk.Text);
            Assert.Equal(TestTokens.Llama2.CountTokens(chunk.Text), chunk.TokenCount);
            Assert.InRange(chunk.TokenCount, 1, 64);
            if (i > 0) Assert.True(chunk.Start > chunks[i - 1].Start, "passages move forward");
        }
        Assert.Equal(0, chunks[0].Start);
        Assert.Equal(text.TrimEnd().Length, chunks[^1].Start + chunks[^1].Length);
    }

    [Theory]
    [MemberData(nameof(CorpusFiles))]
    public void Passages_cover_the_text_and_overlap_by_at_most_the_overlap(string file)
    {
        string text = Corpus(file);
        var chunks = Chunker().Split(text);
        for (int i = 1; i < chunks.Count; i++)
        {
            int previousEnd = chunks[i - 1].Start + chunks[i - 1].Length;
            Assert.True(chunks[i].Start <= previousEnd + 2, $"gap before passage {i}"); // at most the separating whitespace
            if (chunks[i].Start < previousEnd)
                Assert.True(TestTokens.Llama2.CountTokens(text[chunks[i].Start..previousEnd]) <= 12, $"overlap of passage {i} exceeds 12 tokens");
        }
        if (chunks.Count > 1)
            Assert.Contains(Enumerable.Range(1, chunks.Count - 1), i => chunks[i].Start < chunks[i - 1].Start + chunks[i - 1].Length);
    }

    [Fact]
    public void Passages_end_on_sentence_boundaries_when_sentences_fit()
    {
        string text = string.Join(" ", Enumerable.Range(1, 40).Select(i => $"Sentence number {i} is short."));
        foreach (var chunk in Chunker(48, 10).Split(text))
        {
            Assert.EndsWith(".", chunk.Text);
            Assert.StartsWith("Sentence", chunk.Text);
        }
    }

    [Fact]
    public void A_paragraph_end_in_the_second_half_is_preferred_to_a_later_sentence_end()
    {
        string first = string.Join(" ", Enumerable.Range(1, 5).Select(i => $"Alpha sentence {i} is here."));
        string second = string.Join(" ", Enumerable.Range(1, 8).Select(i => $"Beta sentence {i} is here."));
        var chunks = Chunker(64, 0).Split(first + "\n\n" + second);
        Assert.Equal(first, chunks[0].Text);
        Assert.StartsWith("Beta sentence 1", chunks[1].Text);
    }

    [Fact]
    public void Abbreviations_and_initials_do_not_end_sentences()
    {
        string text = "Dr. Smith met J. Doe, e.g. at noon. " + string.Join(" ", Enumerable.Range(1, 30).Select(i => $"Filler sentence {i} goes on."));
        var chunks = Chunker(24, 0).Split(text);
        Assert.StartsWith("Dr. Smith met J. Doe, e.g. at noon.", chunks[0].Text);
    }

    [Fact]
    public void Overlap_repeats_whole_trailing_sentences()
    {
        string text = string.Join(" ", Enumerable.Range(1, 30).Select(i => $"Fact {i} holds."));
        var chunks = Chunker(40, 12).Split(text);
        for (int i = 1; i < chunks.Count; i++)
        {
            int previousEnd = chunks[i - 1].Start + chunks[i - 1].Length;
            Assert.True(chunks[i].Start < previousEnd, $"passage {i} repeats nothing");
            string repeated = text[chunks[i].Start..previousEnd];
            Assert.StartsWith("Fact", repeated);
            Assert.EndsWith("holds.", repeated);
            Assert.EndsWith(repeated, chunks[i - 1].Text);
        }
    }

    [Fact]
    public void An_over_long_sentence_is_cut_between_words()
    {
        string sentence = string.Join(" ", Enumerable.Range(1, 200).Select(i => $"word{i}")) + ".";
        var chunks = Chunker(32, 4).Split(sentence);
        Assert.True(chunks.Count > 5);
        foreach (var chunk in chunks)
        {
            Assert.InRange(chunk.TokenCount, 1, 32);
            Assert.Matches(@"^word\d+", chunk.Text);
        }
        Assert.EndsWith("word200.", chunks[^1].Text);
    }

    [Fact]
    public void Unicode_is_never_cut_inside_a_grapheme_cluster()
    {
        // Emoji (surrogate pairs, ZWJ sequences), combining accents and CJK without spaces: a word far over the limit.
        string word = string.Concat(Enumerable.Repeat("👩‍👩‍👧e\u0301漢字🇫🇷", 40));
        string text = "Intro sentence here. " + word + " and the end.";
        var chunks = Chunker(24, 0).Split(text);
        var boundaries = StringInfo.ParseCombiningCharacters(text).Append(text.Length).ToHashSet();
        Assert.True(chunks.Count > 3);
        foreach (var chunk in chunks)
        {
            Assert.InRange(chunk.TokenCount, 1, 24);
            Assert.Contains(chunk.Start, boundaries);
            Assert.Contains(chunk.Start + chunk.Length, boundaries);
            Assert.False(char.IsLowSurrogate(chunk.Text[0]), "starts inside a surrogate pair");
            Assert.False(char.IsHighSurrogate(chunk.Text[^1]), "ends inside a surrogate pair");
        }
        Assert.Equal(text.Replace(" ", ""), string.Concat(chunks.Select(c => c.Text)).Replace(" ", ""));
    }

    [Fact]
    public void Empty_and_whitespace_text_gives_no_passages()
    {
        Assert.Empty(Chunker().Split(""));
        Assert.Empty(Chunker().Split(" \n\n \n"));
    }

    [Theory]
    [InlineData(4, 0)]
    [InlineData(64, 32)]
    [InlineData(64, -1)]
    public void Bad_options_are_refused(int max, int overlap)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PassageChunker(TestTokens.Llama2, new ChunkerOptions(max, overlap)));
    }
}
