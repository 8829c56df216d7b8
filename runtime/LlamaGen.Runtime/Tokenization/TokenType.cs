namespace LlamaGen.Tokenization;

/// <summary>
/// The kind of a vocabulary entry, as stored in GGUF <c>tokenizer.ggml.token_type</c> (the values are
/// SentencePiece's and llama.cpp's <c>llama_token_type</c>).
/// </summary>
public enum TokenType
{
    /// <summary>No type given; llama.cpp renders such a token as nothing.</summary>
    Undefined = 0,
    /// <summary>An ordinary piece; U+2581 in its text stands for a space.</summary>
    Normal = 1,
    /// <summary>The unknown-token placeholder (<c>&lt;unk&gt;</c>); hidden when decoding unless special tokens are rendered.</summary>
    Unknown = 2,
    /// <summary>A control token such as BOS/EOS; matched in input text only when special parsing is on, hidden when decoding unless rendered.</summary>
    Control = 3,
    /// <summary>A token added by the model's author; always matched in input text and always rendered verbatim.</summary>
    UserDefined = 4,
    /// <summary>A reserved slot; never produced by the merge (unless its text occurs) and rendered as nothing.</summary>
    Unused = 5,
    /// <summary>A byte-fallback piece <c>&lt;0xNN&gt;</c> that decodes to the single raw byte NN.</summary>
    Byte = 6,
}
