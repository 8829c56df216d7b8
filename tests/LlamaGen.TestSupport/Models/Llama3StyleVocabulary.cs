using LlamaGen.Gguf;
using LlamaGen.TestSupport.Reference;

namespace LlamaGen.TestSupport.Models;

/// <summary>
/// A Llama 3 style tokenizer-only GGUF: the fixture GPT-2 vocabulary (byte-level BPE, 50257 tokens and its merges)
/// with <c>tokenizer.ggml.pre = llama-bpe</c> (Llama 3's pre-tokenizer), Llama 3's first eleven special tokens appended
/// as control tokens (<c>&lt;|begin_of_text|&gt;</c> ... <c>&lt;|python_tag|&gt;</c>, in Llama 3's order), BOS
/// <c>&lt;|begin_of_text|&gt;</c> added to every prompt, and EOS <c>&lt;|end_of_text|&gt;</c> as in the base models (so
/// <c>&lt;|eot_id|&gt;</c> ends a generation only through the end-of-generation set). Written once per process.
/// </summary>
public static class Llama3StyleVocabulary
{
    /// <summary>Llama 3's special tokens 128000..128010, here at <see cref="FirstSpecialId"/>...</summary>
    public static readonly string[] SpecialTokens =
    [
        "<|begin_of_text|>", "<|end_of_text|>", "<|reserved_special_token_0|>", "<|reserved_special_token_1|>",
        "<|finetune_right_pad_id|>", "<|reserved_special_token_2|>", "<|start_header_id|>", "<|end_header_id|>",
        "<|eom_id|>", "<|eot_id|>", "<|python_tag|>",
    ];

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
        using (var source = GgufFile.Open(GptTwoVocabulary))
        using (var stream = File.Create(file))
        {
            string[] tokens = [.. source.GetStringArray("tokenizer.ggml.tokens"), .. SpecialTokens];
            int[] types = [.. source.GetInt32Array("tokenizer.ggml.token_type"), .. SpecialTokens.Select(_ => 3)]; // 3: control
            var writer = new GgufWriter(stream);
            writer.AddMetadata("general.architecture", "llama");
            writer.AddMetadata("general.name", "llama3-style-vocab");
            writer.AddMetadata("tokenizer.ggml.model", "gpt2");
            writer.AddMetadata("tokenizer.ggml.pre", "llama-bpe");
            writer.AddMetadata("tokenizer.ggml.tokens", GgufValue.Of(tokens));
            writer.AddMetadata("tokenizer.ggml.token_type", GgufValue.Of(types));
            writer.AddMetadata("tokenizer.ggml.merges", GgufValue.Of(source.GetStringArray("tokenizer.ggml.merges")));
            writer.AddMetadata("tokenizer.ggml.bos_token_id", (uint)BeginOfText);
            writer.AddMetadata("tokenizer.ggml.eos_token_id", (uint)EndOfText);
            writer.AddMetadata("tokenizer.ggml.add_bos_token", true);
            writer.AddMetadata("tokenizer.ggml.add_eos_token", false);
            writer.AddMetadata("tokenizer.chat_template", Llama31Template);
            writer.Finish();
        }
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
