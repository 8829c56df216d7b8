namespace LlamaGen.Tokenization.Tests.Vocabularies;

/// <summary>
/// One of llama.cpp's tokenizer test pairs: <c>ggml-vocab-NAME.gguf.inp</c> (strings joined by
/// <c>\n__ggml_vocab_test__\n</c>, which also ends the file) and <c>.out</c> (the Hugging Face tokenizer's ids, one line
/// per string, without special tokens).
/// </summary>
internal sealed record VocabularyTestFile(string Name, string[] Inputs, int[][] Expected)
{
    private const string Separator = "\n__ggml_vocab_test__\n";

    public static VocabularyTestFile Read(string name)
    {
        string path = Fixtures.Vocabulary(name);
        string input = File.ReadAllText(path + ".inp");
        if (!input.EndsWith(Separator, StringComparison.Ordinal))
            throw new InvalidDataException($"{path}.inp does not end with the test separator.");
        string[] inputs = input[..^Separator.Length].Split(Separator);
        string[] lines = File.ReadAllText(path + ".out").Split('\n');
        if (lines.Length > 0 && lines[^1].Length == 0)
            lines = lines[..^1];
        if (lines.Length != inputs.Length)
            throw new InvalidDataException($"{path}: {inputs.Length} inputs but {lines.Length} lines of ids.");
        int[][] expected = [.. lines.Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray())];
        return new VocabularyTestFile(name, inputs, expected);
    }
}
