using LlamaGen.Gguf;

namespace LlamaGen.Tokenization;

/// <summary>
/// Reads the <c>tokenizer.ggml.*</c> keys both tokenizers share, with llama.cpp's rules for absent keys. The typed
/// accessors of <see cref="GgufFile"/> throw <see cref="GgufFormatException"/> naming the key and its byte offset when a
/// key is present with an unusable type; impossible values are <see cref="InvalidDataException"/>s naming file and key.
/// </summary>
internal static class GgufTokenizerKeys
{
    public const string Model = "tokenizer.ggml.model";
    public const string PreTokenizer = "tokenizer.ggml.pre";
    public const string Tokens = "tokenizer.ggml.tokens";
    public const string Scores = "tokenizer.ggml.scores";
    public const string TokenTypes = "tokenizer.ggml.token_type";
    public const string Merges = "tokenizer.ggml.merges";
    public const string BosId = "tokenizer.ggml.bos_token_id";
    public const string EosId = "tokenizer.ggml.eos_token_id";
    public const string UnknownId = "tokenizer.ggml.unknown_token_id";
    public const string PaddingId = "tokenizer.ggml.padding_token_id";
    public const string AddBos = "tokenizer.ggml.add_bos_token";
    public const string AddEos = "tokenizer.ggml.add_eos_token";
    public const string AddSpacePrefix = "tokenizer.ggml.add_space_prefix";

    public static float[]? ReadScores(GgufFile file, int tokenCount)
    {
        if (!file.TryGetValue(Scores, out GgufValue? value))
            return null;
        // llama.cpp accepts integer scores as well as float32 ones.
        float[] scores = value.Type == GgufValueType.Array && value.ElementType != GgufValueType.Float32
            ? Array.ConvertAll(file.GetInt32Array(Scores), x => (float)x)
            : file.GetFloat32Array(Scores);
        if (scores.Length < tokenCount)
            throw new InvalidDataException($"{file.Path}: {Scores} has {scores.Length} entries for {tokenCount} tokens.");
        return scores;
    }

    public static TokenType[]? ReadTokenTypes(GgufFile file, int tokenCount)
    {
        if (!file.TryGetInt32Array(TokenTypes, out int[] raw))
            return null;
        if (raw.Length < tokenCount)
            throw new InvalidDataException($"{file.Path}: {TokenTypes} has {raw.Length} entries for {tokenCount} tokens.");
        var types = new TokenType[tokenCount];
        for (int i = 0; i < tokenCount; i++)
            types[i] = raw[i] is >= 1 and <= 6 ? (TokenType)raw[i] : TokenType.Undefined; // as llama.cpp maps unknown codes
        return types;
    }

    /// <summary>An id key: absent gives <paramref name="defaultId"/> (or -1 when that is outside the vocabulary), an id
    /// outside the vocabulary is an error.</summary>
    public static int ReadId(GgufFile file, string key, int defaultId, int tokenCount)
    {
        if (!file.TryGetUInt32(key, out uint id))
            return defaultId < tokenCount ? defaultId : -1;
        if (id >= tokenCount)
            throw new InvalidDataException($"{file.Path}: {key} = {id} is outside the vocabulary of {tokenCount} tokens.");
        return (int)id;
    }

    public static bool ReadBool(GgufFile file, string key, bool defaultValue) =>
        file.TryGetBool(key, out bool value) ? value : defaultValue;

    /// <summary>The optional special-token keys. As in llama.cpp, an id outside the vocabulary is ignored with a warning,
    /// and the deprecated <c>prefix</c>/<c>suffix</c>/<c>middle</c> keys override the <c>fim_*</c> ones.</summary>
    public static SpecialTokenKeys ReadSpecialTokenKeys(GgufFile file, int tokenCount, List<string> warnings)
    {
        int Optional(string key, int fallback = -1)
        {
            if (!file.TryGetUInt32($"tokenizer.ggml.{key}", out uint id))
                return fallback;
            if (id < tokenCount)
                return (int)id;
            warnings.Add($"bad special token: 'tokenizer.ggml.{key}' = {id}, using default id {fallback}");
            return fallback;
        }

        file.TryGetString("general.name", out string modelName);
        file.TryGetString(PreTokenizer, out string preTokenizer);
        file.TryGetString("general.architecture", out string architecture);
        return new SpecialTokenKeys(
            EndOfTurnId: Optional("eot_token_id"),
            EndOfMessageId: Optional("eom_token_id"),
            FimPrefixId: Optional("prefix_token_id", Optional("fim_pre_token_id")),
            FimSuffixId: Optional("suffix_token_id", Optional("fim_suf_token_id")),
            FimMiddleId: Optional("middle_token_id", Optional("fim_mid_token_id")),
            FimPaddingId: Optional("fim_pad_token_id"),
            FimRepositoryId: Optional("fim_rep_token_id"),
            FimSeparatorId: Optional("fim_sep_token_id"),
            ModelName: modelName,
            PreTokenizerName: preTokenizer,
            Architecture: architecture);
    }
}
