using System.Text;
using LlamaGen.Tokenization.Tests.LlamaCpp;

namespace LlamaGen.Tokenization.Tests.Differential;

/// <summary>
/// Compares one of our tokenizers with llama.cpp on the same file, input by input: the ids for every combination of
/// add-special (BOS, and EOS where the vocabulary asks for it) and parse-special; the detokenized bytes of llama.cpp's
/// ids for all four combinations of <c>remove_special</c> and <c>unparse_special</c>; and that streaming decoding
/// reproduces whole decoding. Counts what it compared and keeps the first differences.
/// </summary>
internal sealed class OracleComparison(LlamaCppVocabulary oracle, Tokenizer tokenizer)
{
    private const int MaxReported = 15;

    public int Inputs { get; private set; }
    /// <summary>Tokenizations compared (inputs times the four flag combinations).</summary>
    public int Tokenizations { get; private set; }
    /// <summary>Detokenizations compared.</summary>
    public int Detokenizations { get; private set; }
    public int Differences { get; private set; }
    public List<string> Reported { get; } = [];

    public void Compare(byte[] utf8, bool utf8Only = false)
    {
        Inputs++;
        foreach (bool addSpecial in (bool[])[false, true])
        {
            foreach (bool parseSpecial in (bool[])[false, true])
            {
                int[] expected = oracle.Tokenize(utf8, addSpecial, parseSpecial);
                int[] actual;
                try
                {
                    var list = new List<int>();
                    tokenizer.EncodeUtf8(utf8, addSpecial && tokenizer.AddBos, parseSpecial, list);
                    if (addSpecial && tokenizer.AddEos)
                        list.Add(tokenizer.EosId);
                    actual = [.. list];
                }
                catch (Exception e) when (!utf8Only)
                {
                    Fail(utf8, $"add_special={addSpecial} parse_special={parseSpecial}: threw {e.GetType().Name}: {e.Message}");
                    continue;
                }
                Tokenizations++;
                if (!actual.AsSpan().SequenceEqual(expected))
                    Fail(utf8, $"add_special={addSpecial} parse_special={parseSpecial}: llama.cpp [{string.Join(' ', expected)}], ours [{string.Join(' ', actual)}]");
                CompareDecoding(utf8, expected);
            }
        }
    }

    private void CompareDecoding(byte[] utf8, int[] ids)
    {
        foreach (bool removeSpecial in (bool[])[false, true])
        {
            foreach (bool unparseSpecial in (bool[])[false, true])
            {
                byte[] expected = oracle.Detokenize(ids, removeSpecial, unparseSpecial);
                byte[] actual = tokenizer.DecodeToUtf8(ids, removeSpecial, unparseSpecial);
                Detokenizations++;
                if (!actual.AsSpan().SequenceEqual(expected))
                    Fail(utf8, $"detokenize [{string.Join(' ', ids)}] remove_special={removeSpecial} unparse_special={unparseSpecial}: " +
                        $"llama.cpp {Convert.ToHexString(expected)}, ours {Convert.ToHexString(actual)}");
            }
        }
        foreach (bool render in (bool[])[false, true])
        {
            var decoder = new StreamingDecoder(tokenizer, render);
            var streamed = new StringBuilder();
            foreach (int id in ids)
                streamed.Append(decoder.Push(id));
            streamed.Append(decoder.Flush());
            string whole = tokenizer.Decode(ids, render);
            if (streamed.ToString() != whole)
                Fail(utf8, $"streaming decode (render={render}) of [{string.Join(' ', ids)}] gave \"{Tokenizer.Escape(streamed.ToString())}\", Decode \"{Tokenizer.Escape(whole)}\"");
        }
    }

    private void Fail(byte[] utf8, string what)
    {
        Differences++;
        if (Reported.Count < MaxReported)
            Reported.Add($"{Describe(utf8)}: {what}");
    }

    public static string Describe(byte[] utf8)
    {
        string text = Encoding.UTF8.GetString(utf8);
        bool valid = Encoding.UTF8.GetByteCount(text) == utf8.Length && Encoding.UTF8.GetBytes(text).AsSpan().SequenceEqual(utf8);
        return valid ? $"\"{Tokenizer.Escape(text)}\"" : $"bytes {Convert.ToHexString(utf8)}";
    }

    public string Summary(string what) =>
        $"{what}: {Inputs} inputs, {Tokenizations} tokenizations (4 flag combinations each) and {Detokenizations} detokenizations " +
        $"compared with llama.cpp, {Differences} differences" + (Reported.Count > 0 ? ":\n" + string.Join("\n", Reported) : ".");
}
