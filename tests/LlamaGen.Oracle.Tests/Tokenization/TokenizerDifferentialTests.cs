using System.Text;
using LlamaGen.Conversion;
using LlamaGen.Gguf;
using LlamaGen.TestSupport.LlamaCpp;
using LlamaGen.TestSupport.Reference;
using LlamaGen.Tokenization;

namespace LlamaGen.Oracle.Tests.Tokenization;

/// <summary>
/// Our SentencePiece tokenizer against llama.cpp's (LLamaSharp 0.30.0) on the same GGUF files: ids for every
/// combination of add-BOS and parse-special, detokenized bytes for the two flag pairs our Decode stands for
/// (<c>remove_special: true, unparse_special: false</c> and <c>remove_special: false, unparse_special: true</c>),
/// every single token's piece, and that the streaming decoder reproduces Decode. Zero differences are allowed.
/// </summary>
public sealed class TokenizerDifferentialTests
{
    private const int GeneratedCount = 1200;
    private const int Seed = 20240611;

    private static IEnumerable<string> AllStrings() =>
        TokenizerTestStrings.Curated.Concat(TokenizerTestStrings.Generated(GeneratedCount, Seed));

    [Fact]
    public void Llama2VocabularyMatchesLlamaCpp()
    {
        using var oracle = LlamaCppOracle.Open(ReferenceFixtures.TinyRandomGguf);
        using var file = GgufFile.Open(ReferenceFixtures.TinyRandomGguf);
        var tokenizer = SentencePieceTokenizer.FromGguf(file);
        Assert.Equal(oracle.VocabSize, tokenizer.VocabSize);

        int compared = CompareAll(oracle, tokenizer, AllStrings(), out var failures);
        Assert.True(compared >= 1000, $"only {compared} strings were compared");
        Assert.True(failures.Count == 0, Report(compared, failures));
        TestContext.Current.SendDiagnosticMessage($"Llama 2 vocabulary: {compared} strings compared with llama.cpp, 0 differences.");
    }

    [Fact]
    public void Llama2PiecesMatchLlamaCpp()
    {
        using var oracle = LlamaCppOracle.Open(ReferenceFixtures.TinyRandomGguf);
        using var file = GgufFile.Open(ReferenceFixtures.TinyRandomGguf);
        ComparePieces(oracle, SentencePieceTokenizer.FromGguf(file));
    }

    [Fact]
    public void Stories260KVocabularyMatchesLlamaCpp()
    {
        string directory = Path.Combine(Path.GetTempPath(), $"llamagen-tok512-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        try
        {
            string gguf = Path.Combine(directory, "stories260K.gguf");
            Llama2CConverter.Convert(ReferenceFixtures.Stories260KModel, ReferenceFixtures.Stories260KTokenizer, gguf);
            using var oracle = LlamaCppOracle.Open(gguf);
            using var file = GgufFile.Open(gguf);
            var tokenizer = SentencePieceTokenizer.FromGguf(file);
            Assert.Equal(512, tokenizer.VocabSize);

            int compared = CompareAll(oracle, tokenizer, AllStrings(), out var failures);
            Assert.True(compared >= 1000, $"only {compared} strings were compared");
            Assert.True(failures.Count == 0, Report(compared, failures));
            ComparePieces(oracle, tokenizer);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static int CompareAll(LlamaCppOracle oracle, SentencePieceTokenizer tokenizer, IEnumerable<string> strings, out List<string> failures)
    {
        failures = [];
        int compared = 0;
        foreach (string text in strings)
        {
            compared++;
            foreach (bool addBos in new[] { false, true })
            {
                foreach (bool parseSpecial in new[] { false, true })
                {
                    int[] expected = oracle.Tokenize(text, addBos, parseSpecial);
                    int[] actual = tokenizer.Encode(text, addBos, parseSpecial);
                    if (!expected.AsSpan().SequenceEqual(actual))
                    {
                        failures.Add(Describe($"Encode(addBos: {addBos}, parseSpecial: {parseSpecial})", text, expected, actual));
                        continue;
                    }
                    CompareDecoding(oracle, tokenizer, text, expected, failures);
                }
            }
            // Without special parsing and BOS, decoding gives back the text itself, with two documented exceptions:
            // a literal U+2581 comes back as a space and a lone surrogate as U+FFFD.
            string plain = Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(text)).Replace('\u2581', ' ');
            string roundTrip = tokenizer.Decode(tokenizer.Encode(text, addBos: false));
            if (roundTrip != plain)
                failures.Add($"round trip of \"{Escape(text)}\" gave \"{Escape(roundTrip)}\"");
        }
        return compared;
    }

    private static void CompareDecoding(LlamaCppOracle oracle, SentencePieceTokenizer tokenizer, string text, int[] ids, List<string> failures)
    {
        foreach (bool render in new[] { false, true })
        {
            byte[] expected = oracle.Detokenize(ids, removeSpecial: !render, unparseSpecial: render);
            byte[] actual = tokenizer.DecodeToUtf8(ids, render);
            if (!expected.AsSpan().SequenceEqual(actual))
            {
                failures.Add($"Decode(render: {render}) of the ids of \"{Escape(text)}\" [{string.Join(", ", ids)}]:\n" +
                             $"  llama.cpp: {Convert.ToHexString(expected)}\n  ours:      {Convert.ToHexString(actual)}");
                continue;
            }
            var decoder = new StreamingDecoder(tokenizer, render);
            var streamed = new StringBuilder();
            foreach (int id in ids)
                streamed.Append(decoder.Push(id));
            streamed.Append(decoder.Flush());
            string whole = Encoding.UTF8.GetString(expected);
            if (streamed.ToString() != whole)
                failures.Add($"StreamingDecoder(render: {render}) of \"{Escape(text)}\" gave \"{Escape(streamed.ToString())}\", Decode gave \"{Escape(whole)}\"");
        }
    }

    private static void ComparePieces(LlamaCppOracle oracle, SentencePieceTokenizer tokenizer)
    {
        var failures = new List<string>();
        for (int id = 0; id < tokenizer.VocabSize; id++)
        {
            foreach (bool special in new[] { false, true })
            {
                byte[] expected = oracle.TokenToPiece(id, special);
                byte[] actual = tokenizer.GetPieceBytes(id, special).ToArray();
                if (!expected.AsSpan().SequenceEqual(actual))
                    failures.Add($"piece of id {id} (special: {special}): llama.cpp {Convert.ToHexString(expected)}, ours {Convert.ToHexString(actual)}");
            }
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of {tokenizer.VocabSize} pieces differ:\n" + string.Join("\n", failures.Take(20)));
    }

    private static string Describe(string what, string text, int[] expected, int[] actual)
    {
        int first = 0;
        while (first < expected.Length && first < actual.Length && expected[first] == actual[first])
            first++;
        return $"{what} of \"{Escape(text)}\": first difference at index {first}\n" +
               $"  llama.cpp: [{string.Join(", ", expected)}]\n  ours:      [{string.Join(", ", actual)}]";
    }

    private static string Report(int compared, List<string> failures) =>
        $"{failures.Count} differences over {compared} strings:\n" + string.Join("\n", failures.Take(25));

    private static string Escape(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (char c in s)
        {
            if (c is '\\' or '"') sb.Append('\\').Append(c);
            else if (c < 0x20 || c is >= '\u007f' and <= '\u00a0' || char.IsSurrogate(c) || c == '\u2581') sb.Append($"\\u{(int)c:X4}");
            else sb.Append(c);
        }
        return sb.ToString();
    }
}
