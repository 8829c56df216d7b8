using LlamaGen.Gguf;
using LlamaGen.Models;

namespace LlamaGen.Conversion;

/// <summary>
/// A Llama 3 style tokenizer made from a byte-level BPE vocabulary (e.g. llama.cpp's <c>ggml-vocab-gpt-2.gguf</c>), for
/// synthetic models of Llama 3's shapes without Meta's tokenizer file: the source's tokens and merges under
/// <c>tokenizer.ggml.pre = llama-bpe</c> (Llama 3's pre-tokenizer), unreachable filler tokens up to the size asked for
/// less Llama 3's special tokens, then the special tokens themselves as control tokens in Llama 3's order
/// (<c>&lt;|begin_of_text|&gt;</c>, <c>&lt;|end_of_text|&gt;</c>, ..., <c>&lt;|eot_id|&gt;</c>, <c>&lt;|python_tag|&gt;</c>,
/// then <c>&lt;|reserved_special_token_3|&gt;</c> onwards). At Llama 3's 128256 tokens the special tokens get their real
/// ids (128000 onwards), so the classifier and the embedding table have Llama 3's sizes. BOS is
/// <c>&lt;|begin_of_text|&gt;</c>, added to every prompt; EOS <c>&lt;|end_of_text|&gt;</c>, as in the base models.
/// </summary>
public static class Llama3StyleVocabulary
{
    /// <summary>Llama 3's named special tokens, ids 128000..128010 in its vocabulary.</summary>
    public static IReadOnlyList<string> NamedSpecialTokens { get; } =
    [
        "<|begin_of_text|>", "<|end_of_text|>", "<|reserved_special_token_0|>", "<|reserved_special_token_1|>",
        "<|finetune_right_pad_id|>", "<|reserved_special_token_2|>", "<|start_header_id|>", "<|end_header_id|>",
        "<|eom_id|>", "<|eot_id|>", "<|python_tag|>",
    ];

    /// <summary>Llama 3's count of special tokens (128000..128255).</summary>
    public const int SpecialTokenCount = 256;

    private const int ControlTokenType = 3, NormalTokenType = 1;


    /// <summary>Writes a tokenizer-only GGUF file of <paramref name="vocabSize"/> tokens made from <paramref name="sourcePath"/>.</summary>
    /// <param name="sourcePath">A GGUF file with a byte-level BPE tokenizer (<c>tokenizer.ggml.model = gpt2</c>).</param>
    /// <param name="vocabSize">The token count to write, e.g. 128256 for Llama 3's.</param>
    /// <param name="outputPath">The file to write (replaced).</param>
    /// <param name="chatTemplate">Written as <c>tokenizer.chat_template</c> when not null.</param>
    /// <returns>The id of <c>&lt;|begin_of_text|&gt;</c>, the first special token.</returns>
    /// <exception cref="ModelMismatchException">The source is not a byte-level BPE vocabulary, or
    /// <paramref name="vocabSize"/> is too small for its tokens and the eleven named special tokens.</exception>
    public static int Write(string sourcePath, int vocabSize, string outputPath, string? chatTemplate = null)
    {
        ArgumentNullException.ThrowIfNull(sourcePath);
        ArgumentNullException.ThrowIfNull(outputPath);
        using var source = GgufFile.Open(sourcePath);
        string model = source.TryGetString("tokenizer.ggml.model", out var m) ? m : "(none)";
        if (model != "gpt2" || !source.TryGetStringArray("tokenizer.ggml.tokens", out var sourceTokens)
            || !source.TryGetStringArray("tokenizer.ggml.merges", out var merges))
            throw new ModelMismatchException(sourcePath, null,
                $"{sourcePath}: a Llama 3 style vocabulary is made from a byte-level BPE vocabulary (tokenizer.ggml.model " +
                $"\"gpt2\" with tokens and merges); this file's tokenizer.ggml.model is \"{model}\".");
        int minimum = sourceTokens.Length + NamedSpecialTokens.Count;
        if (vocabSize < minimum)
            throw new ModelMismatchException(sourcePath, null,
                $"{sourcePath}: {sourceTokens.Length} tokens and Llama 3's {NamedSpecialTokens.Count} named special tokens " +
                $"need a vocabulary of at least {minimum} tokens; {vocabSize} was asked for.");

        // All 256 special tokens when they fit after the source's tokens, otherwise as many as fit (the check above
        // leaves room for the eleven named ones).
        int first = vocabSize - Math.Min(vocabSize - sourceTokens.Length, SpecialTokenCount);
        var tokens = new string[vocabSize];
        var types = new int[vocabSize];
        int[] sourceTypes = source.TryGetInt32Array("tokenizer.ggml.token_type", out var t) ? t : [];
        for (int i = 0; i < sourceTokens.Length; i++)
        {
            tokens[i] = sourceTokens[i];
            types[i] = i < sourceTypes.Length ? sourceTypes[i] : NormalTokenType;
        }
        // Fillers stand for the tokens of Llama 3's larger vocabulary: no merge makes them and no special-token parse
        // matches them (normal tokens), so they change the tensors' sizes and nothing else.
        for (int i = sourceTokens.Length; i < first; i++)
        {
            tokens[i] = $"<|filler_{i}|>";
            types[i] = NormalTokenType;
        }
        for (int i = first; i < vocabSize; i++)
        {
            int k = i - first;
            // Llama 3 numbers its reserved tokens after the three among the named ones.
            tokens[i] = k < NamedSpecialTokens.Count ? NamedSpecialTokens[k] : $"<|reserved_special_token_{k - NamedSpecialTokens.Count + 3}|>";
            types[i] = ControlTokenType;
        }

        using var stream = File.Create(outputPath);
        var writer = new GgufWriter(stream);
        writer.AddMetadata("general.architecture", "llama");
        writer.AddMetadata("general.name", "llama3-style-vocab");
        writer.AddMetadata("tokenizer.ggml.model", "gpt2");
        writer.AddMetadata("tokenizer.ggml.pre", "llama-bpe");
        writer.AddMetadata("tokenizer.ggml.tokens", GgufValue.Of(tokens));
        writer.AddMetadata("tokenizer.ggml.token_type", GgufValue.Of(types));
        writer.AddMetadata("tokenizer.ggml.merges", GgufValue.Of(merges));
        writer.AddMetadata("tokenizer.ggml.bos_token_id", (uint)first);
        writer.AddMetadata("tokenizer.ggml.eos_token_id", (uint)(first + 1));
        writer.AddMetadata("tokenizer.ggml.add_bos_token", true);
        writer.AddMetadata("tokenizer.ggml.add_eos_token", false);
        if (chatTemplate is not null) writer.AddMetadata("tokenizer.chat_template", chatTemplate);
        writer.Finish();
        return first;
    }
}
