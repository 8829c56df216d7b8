namespace LlamaGen.Tokenization;

/// <summary>
/// The raw data a byte-level BPE tokenizer (llama.cpp <c>"gpt2"</c>) is built from: the GGUF <c>tokenizer.ggml.*</c>
/// arrays and flags as plain values, so tests can build vocabularies by hand.
/// </summary>
/// <param name="Tokens">Token texts by id, in GPT-2's byte alphabet (a space is <c>Ġ</c>, a newline <c>Ċ</c>).</param>
/// <param name="Merges">Merge rules "left right" in rank order (<c>tokenizer.ggml.merges</c>).</param>
/// <param name="TokenTypes">Token types by id; <c>null</c> means every token is <see cref="TokenType.Normal"/>.</param>
/// <param name="PreTokenizer">The <c>tokenizer.ggml.pre</c> value; see <see cref="BpeTokenizer.PreTokenizerNames"/>.</param>
/// <param name="BosId">Beginning-of-sequence id, or -1 for none (llama.cpp's BPE default is 11).</param>
/// <param name="EosId">End-of-sequence id, or -1 for none (llama.cpp's BPE default is 11).</param>
/// <param name="AddBos">Whether prompts start with BOS; <c>null</c> takes the pre-tokenizer's default (true for the Llama 3
/// presets, false otherwise), as llama.cpp does without <c>tokenizer.ggml.add_bos_token</c>.</param>
/// <param name="AddEos">Whether prompts end with EOS (<c>tokenizer.ggml.add_eos_token</c>).</param>
/// <param name="AddSpacePrefix">llama.cpp's <c>add_space_prefix</c>: for BPE it only makes decoding drop the first token's
/// leading space (<c>tokenizer.ggml.add_space_prefix</c>, default false).</param>
public sealed record BpeVocabulary(
    string[] Tokens,
    string[] Merges,
    TokenType[]? TokenTypes = null,
    string PreTokenizer = "default",
    int BosId = -1,
    int EosId = -1,
    bool? AddBos = null,
    bool AddEos = false,
    bool AddSpacePrefix = false);
