using System.Text;
using LlamaGen.Gguf;
using LlamaGen.Tokenization.Tests.LlamaCpp;

namespace LlamaGen.Tokenization.Tests.Differential;

/// <summary>
/// That the differential inputs tell the presets apart: by llama.cpp's own results (ids, and decoded text since some
/// presets differ only in the clean-up), every two presets that llama.cpp treats differently disagree on some inputs.
/// Only the aliases (llama-bpe and llama3, gpt-2 and mpt, starcoder and refact) agree everywhere.
/// </summary>
public sealed class PresetCoverageTests(VocabularyRewriter files, ITestOutputHelper output) : IClassFixture<VocabularyRewriter>
{
    [Fact]
    public void InputsTellEveryTwoPresetsApart()
    {
        string[] presets = [.. PresetDifferentialTests.Presets.Select(row => (string)row.Data)];
        byte[][] inputs = [.. BpeTestStrings.All(2000, 20260515)];
        var results = new Dictionary<string, string[]>();
        foreach (string preset in presets)
        {
            string path = files.Write(Fixtures.Vocabulary("gpt-2"), preset, new Dictionary<string, GgufValue?> { ["tokenizer.ggml.pre"] = GgufValue.Of(preset) });
            using var oracle = LlamaCppVocabulary.Open(path);
            results[preset] = [.. inputs.Select(input =>
            {
                int[] ids = oracle.Tokenize(input, addSpecial: false, parseSpecial: false);
                return string.Join(' ', ids) + "|" + Convert.ToHexString(oracle.Detokenize(ids, removeSpecial: true, unparseSpecial: false));
            })];
        }

        (string, string)[] aliases = [("llama-bpe", "llama3"), ("gpt-2", "mpt"), ("starcoder", "refact")];
        var report = new StringBuilder();
        for (int a = 0; a < presets.Length; a++)
        {
            for (int b = a + 1; b < presets.Length; b++)
            {
                int differing = Enumerable.Range(0, inputs.Length).Count(i => results[presets[a]][i] != results[presets[b]][i]);
                report.AppendLine($"{presets[a]} / {presets[b]}: {differing} of {inputs.Length} inputs differ");
                if (aliases.Contains((presets[a], presets[b])))
                    Assert.Equal(0, differing);
                else
                    Assert.True(differing > 0, $"{presets[a]} and {presets[b]} agree on every input");
            }
        }
        output.WriteLine(report.ToString());
    }
}
