using LlamaGen.TestSupport.Reference;

namespace LlamaGen.TestSupport.Models;

/// <summary>
/// A Llama 3 style tokenizer-only GGUF (<see cref="LlamaGen.Conversion.Llama3StyleVocabulary"/>, not grown): the fixture GPT-2 vocabulary (byte-level BPE, 50257 tokens and its merges)
/// with <c>tokenizer.ggml.pre = llama-bpe</c> (Llama 3's pre-tokenizer), Llama 3's first eleven special tokens appended
/// as control tokens (<c>&lt;|begin_of_text|&gt;</c> ... <c>&lt;|python_tag|&gt;</c>, in Llama 3's order), BOS
/// <c>&lt;|begin_of_text|&gt;</c> added to every prompt, and EOS <c>&lt;|end_of_text|&gt;</c> as in the base models (so
/// <c>&lt;|eot_id|&gt;</c> ends a generation only through the end-of-generation set). Written once per process.
/// </summary>
public static class Llama3TestVocabulary
{
    /// <summary>Llama 3's special tokens 128000..128010, here at <see cref="FirstSpecialId"/>...</summary>
    public static readonly string[] SpecialTokens = [.. LlamaGen.Conversion.Llama3StyleVocabulary.NamedSpecialTokens];

    /// <summary>GPT-2's token count: the first special token's id.</summary>
    public const int FirstSpecialId = 50257;

    public const int VocabSize = FirstSpecialId + 11;
    public const int BeginOfText = FirstSpecialId, EndOfText = FirstSpecialId + 1, EndOfMessage = FirstSpecialId + 8, EndOfTurn = FirstSpecialId + 9;

    private static readonly Lazy<string> path = new(Write);

    public static string GptTwoVocabulary => System.IO.Path.Combine(ReferenceFixtures.Directory, "vocab", "ggml-vocab-gpt-2.gguf");

    /// <summary>The file (in a temp folder deleted at process exit).</summary>
    public static string Path => path.Value;

    private static string Write()
    {
        string directory = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"llamagen-llama3-vocab-{Environment.ProcessId}");
        Directory.CreateDirectory(directory);
        string file = System.IO.Path.Combine(directory, "llama3-style-vocab.gguf");
        int first = LlamaGen.Conversion.Llama3StyleVocabulary.Write(GptTwoVocabulary, VocabSize, file, Llama31Template);
        if (first != FirstSpecialId) throw new InvalidOperationException($"special tokens from {first}, expected {FirstSpecialId}");
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
        };
        return file;
    }

    /// <summary>The fixture chat template of Llama 3.1 8B Instruct.</summary>
    public static string Llama31Template =>
        File.ReadAllText(System.IO.Path.Combine(ReferenceFixtures.Directory, "chat-templates", "meta-llama-Llama-3.1-8B-Instruct.jinja"));
}
