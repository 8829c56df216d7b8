namespace LlamaGen.Tokenization;

/// <summary>
/// llama.cpp's per-token attributes (<c>llama_token_attr</c>, same bit values): the file's token type as a bit, plus
/// what llama.cpp adds at load time (a control bit for end-of-generation and infill tokens recognized by their text,
/// an unused bit, and the strip flags some models give their special tokens).
/// </summary>
[Flags]
internal enum TokenAttributes
{
    Undefined = 0,
    Unknown = 1 << 0,
    Unused = 1 << 1,
    Normal = 1 << 2,
    Control = 1 << 3,
    UserDefined = 1 << 4,
    Byte = 1 << 5,
    Normalized = 1 << 6,
    /// <summary>White space before the token's text is dropped when the text is cut out of the input.</summary>
    LeftStrip = 1 << 7,
    /// <summary>White space after the token's text is dropped when the text is cut out of the input.</summary>
    RightStrip = 1 << 8,
    SingleWord = 1 << 9,
}
