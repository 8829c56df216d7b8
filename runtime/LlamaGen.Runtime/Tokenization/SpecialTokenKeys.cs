namespace LlamaGen.Tokenization;

/// <summary>
/// The ids a GGUF file names for the special tokens beyond BOS/EOS (-1 where the key is absent), and the names llama.cpp
/// consults for per-model token attributes. Read by <see cref="GgufTokenizerKeys"/>, applied by <see cref="SpecialTokenRules"/>.
/// </summary>
internal sealed record SpecialTokenKeys(
    int EndOfTurnId = -1,
    int EndOfMessageId = -1,
    int FimPrefixId = -1,
    int FimSuffixId = -1,
    int FimMiddleId = -1,
    int FimPaddingId = -1,
    int FimRepositoryId = -1,
    int FimSeparatorId = -1,
    string? ModelName = null,
    string? PreTokenizerName = null,
    string? Architecture = null)
{
    public static readonly SpecialTokenKeys None = new();
}
