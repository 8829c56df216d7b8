namespace LlamaGen.Tokenization;

/// <summary>
/// What llama.cpp's Unicode tables (<c>unicode_cpt_flags</c>) say about a code point: one general-category group
/// (the bit values are llama.cpp's) and whether it is white space. The BPE pre-tokenizers classify with these, not
/// with .NET's <see cref="System.Globalization.CharUnicodeInfo"/>: the two follow different Unicode versions, and a
/// letter llama.cpp does not know yet must split as llama.cpp splits it.
/// </summary>
[Flags]
internal enum UnicodeFlags : ushort
{
    None = 0,
    /// <summary>Unassigned in llama.cpp's table (also every value above U+10FFFF).</summary>
    Undefined = 0x0001,
    /// <summary>General category N* (regex <c>\p{N}</c>).</summary>
    Number = 0x0002,
    /// <summary>General category L* (regex <c>\p{L}</c>).</summary>
    Letter = 0x0004,
    /// <summary>General category Z*.</summary>
    Separator = 0x0008,
    /// <summary>General category M* (regex <c>\p{M}</c>).</summary>
    AccentMark = 0x0010,
    /// <summary>General category P* (regex <c>\p{P}</c>).</summary>
    Punctuation = 0x0020,
    /// <summary>General category S* (regex <c>\p{S}</c>).</summary>
    Symbol = 0x0040,
    /// <summary>General category C* (control, format, surrogate, private use).</summary>
    Control = 0x0080,
    /// <summary>The bits that name the category.</summary>
    Categories = 0x00FF,
    /// <summary>Unicode White_Space (regex <c>\s</c> in llama.cpp's custom splitters).</summary>
    Whitespace = 0x0100,
}
