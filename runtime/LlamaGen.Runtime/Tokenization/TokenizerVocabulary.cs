namespace LlamaGen.Tokenization;

/// <summary>
/// The raw data a SentencePiece (llama.cpp "llama"/SPM) tokenizer is built from: the GGUF
/// <c>tokenizer.ggml.*</c> arrays and flags as plain values, so tests can build small vocabularies by hand.
/// </summary>
/// <param name="Tokens">Piece texts by id, with U+2581 standing for a space (as GGUF stores them).</param>
/// <param name="Scores">Merge scores by id (higher merges first); <c>null</c> means all zero.</param>
/// <param name="TokenTypes">Token types by id; <c>null</c> means every token is <see cref="TokenType.Normal"/> (llama.cpp's rule when the GGUF has no type array).</param>
/// <param name="BosId">Beginning-of-sequence id, or -1 for none. llama.cpp's SPM default is 1.</param>
/// <param name="EosId">End-of-sequence id, or -1 for none. llama.cpp's SPM default is 2.</param>
/// <param name="UnknownId">Unknown-token id, or -1 for none. llama.cpp's SPM default is 0.</param>
/// <param name="PaddingId">Padding id, or -1 for none.</param>
/// <param name="AddBos">Whether prompts should start with BOS (<c>tokenizer.ggml.add_bos_token</c>; SPM default true).</param>
/// <param name="AddEos">Whether prompts should end with EOS (<c>tokenizer.ggml.add_eos_token</c>; SPM default false).</param>
/// <param name="AddSpacePrefix">Whether text gets a leading space before merging, and decoding strips it again
/// (<c>tokenizer.ggml.add_space_prefix</c>; SPM default true).</param>
public sealed record TokenizerVocabulary(
    string[] Tokens,
    float[]? Scores = null,
    TokenType[]? TokenTypes = null,
    int BosId = 1,
    int EosId = 2,
    int UnknownId = 0,
    int PaddingId = -1,
    bool AddBos = true,
    bool AddEos = false,
    bool AddSpacePrefix = true);
