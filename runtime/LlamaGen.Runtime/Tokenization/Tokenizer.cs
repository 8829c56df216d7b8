using System.Buffers;
using System.Text;
using LlamaGen.Gguf;

namespace LlamaGen.Tokenization;

/// <summary>
/// A Llama-family tokenizer as llama.cpp runs it: <see cref="SentencePieceTokenizer"/> for <c>tokenizer.ggml.model =
/// "llama"</c>, <see cref="BpeTokenizer"/> for <c>"gpt2"</c> (byte-level BPE). Both encode as <c>llama_tokenize</c> and
/// decode as <c>llama_detokenize</c> / <c>llama_token_to_piece</c>, and both know llama.cpp's end-of-generation set.
/// </summary>
/// <remarks>
/// <para>What the two share lives here: the vocabulary, the token types as llama.cpp corrects them at load (tokens it
/// recognizes by their text as end-of-turn or infill tokens become control tokens, see <see cref="GetTokenType"/>), the
/// special-token partition of input text, and detokenization.</para>
/// <para>Instances are immutable and thread-safe.</para>
/// </remarks>
public abstract class Tokenizer
{
    private readonly string[] _texts;
    private readonly TokenAttributes[] _attributes;
    private readonly TokenType[] _types;
    // What each token renders to when special tokens are shown: llama.cpp's token-to-piece cache.
    private readonly byte[][] _renderedPieces;
    private readonly Dictionary<string, int> _textToId;
    private readonly int[] _endOfGeneration;
    private readonly bool[] _isEndOfGeneration;
    private readonly bool _decodeRemovesFirstSpace;
    private readonly bool _cleanSpaces;

    /// <param name="source">The file (or "vocabulary") errors name.</param>
    /// <param name="texts">Token texts by id; an empty text gets llama.cpp's placeholder <c>[EMPTY_id]</c>.</param>
    /// <param name="types">Stored token types; null means every token is normal.</param>
    /// <param name="renderNormal">The bytes a normal token's text stands for.</param>
    /// <param name="decodeRemovesFirstSpace">llama.cpp's <c>add_space_prefix</c>: decoding drops the first token's leading space.</param>
    /// <param name="cleanSpaces">llama.cpp's <c>clean_spaces</c>: decoding applies its space clean-up.</param>
    private protected Tokenizer(
        string source, string[] texts, TokenType[]? types, Func<string, byte[]> renderNormal,
        int bosId, int eosId, int unknownId, int paddingId, bool addBos, bool addEos,
        bool decodeRemovesFirstSpace, bool cleanSpaces, SpecialTokenKeys keys, List<string> warnings)
    {
        int n = texts.Length;
        if (n == 0)
            throw new ArgumentException($"{source}: the token list is empty.");
        if (types is not null && types.Length < n)
            throw new ArgumentException($"{source}: {types.Length} token types for {n} tokens.");
        Source = source;
        _texts = new string[n];
        _textToId = new Dictionary<string, int>(n, StringComparer.Ordinal);
        for (int id = 0; id < n; id++)
        {
            // llama.cpp gives an empty text a placeholder so every id stays reachable and distinct.
            string text = string.IsNullOrEmpty(texts[id]) ? $"[EMPTY_{id}]" : texts[id];
            if (!_textToId.TryAdd(text, id))
                throw new ArgumentException($"{source}: duplicate token \"{Escape(text)}\" at ids {_textToId[text]} and {id}.");
            _texts[id] = text;
        }
        TextLookup = _textToId.GetAlternateLookup<ReadOnlySpan<char>>();

        BosId = CheckSpecialId(bosId, "BOS", n, source);
        EosId = CheckSpecialId(eosId, "EOS", n, source);
        UnknownId = CheckSpecialId(unknownId, "unknown", n, source);
        PaddingId = CheckSpecialId(paddingId, "padding", n, source);
        AddBos = addBos;
        AddEos = addEos;
        if (AddBos && BosId < 0)
            throw new ArgumentException($"{source}: BOS should be added but no BOS id is set.");
        if (AddEos && EosId < 0)
            throw new ArgumentException($"{source}: EOS should be added but no EOS id is set.");

        (_attributes, _endOfGeneration) = SpecialTokenRules.Apply(_texts, types, _textToId, EosId, keys, warnings);
        _isEndOfGeneration = new bool[n];
        foreach (int id in _endOfGeneration)
            _isEndOfGeneration[id] = true;
        _types = Array.ConvertAll(_attributes, EffectiveType);
        _renderedPieces = new byte[n][];
        for (int id = 0; id < n; id++)
            _renderedPieces[id] = Render(id, renderNormal, source);
        Partitioner = new SpecialTokenPartitioner(_texts, _attributes);
        _decodeRemovesFirstSpace = decodeRemovesFirstSpace;
        _cleanSpaces = cleanSpaces;
        Warnings = warnings.ToArray();
    }

    /// <summary>Number of tokens in the vocabulary; valid ids are 0 to <c>VocabSize - 1</c>.</summary>
    public int VocabSize => _texts.Length;
    /// <summary>Beginning-of-sequence id, or -1 when the vocabulary has none.</summary>
    public int BosId { get; }
    /// <summary>End-of-sequence id, or -1 when the vocabulary has none.</summary>
    public int EosId { get; }
    /// <summary>Unknown-token id, or -1 when the vocabulary has none.</summary>
    public int UnknownId { get; }
    /// <summary>Padding id, or -1 when the vocabulary has none.</summary>
    public int PaddingId { get; }
    /// <summary>Whether the model expects prompts to start with BOS (pass it as <c>addBos</c>).</summary>
    public bool AddBos { get; }
    /// <summary>Whether the model expects prompts to end with EOS. <see cref="Encode(string, bool, bool)"/> never appends it; append <see cref="EosId"/> yourself.</summary>
    public bool AddEos { get; }

    /// <summary>
    /// The tokens that end a reply, as llama.cpp's <c>llama_vocab_is_eog</c> decides: EOS, the end-of-turn and
    /// end-of-message tokens (named by <c>tokenizer.ggml.eot_token_id</c>/<c>eom_token_id</c> or recognized by text such as
    /// <c>&lt;|eot_id|&gt;</c>, <c>&lt;|im_end|&gt;</c>, <c>&lt;|end|&gt;</c>, <c>&lt;end_of_turn&gt;</c>,
    /// <c>&lt;|endoftext|&gt;</c>, <c>&lt;EOT&gt;</c>, <c>&lt;/s&gt;</c>...), and the infill padding, repository and
    /// file-separator tokens. Ascending.
    /// </summary>
    public IReadOnlyList<int> EndOfGenerationIds => _endOfGeneration;

    /// <summary>What llama.cpp warns about when loading this vocabulary (a missing pre-tokenizer, tokens whose type it
    /// corrected...), in llama.cpp's words; the CLI prints them to stderr.</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>The file or description the tokenizer was built from, as errors name it.</summary>
    public string Source { get; }

    /// <summary>Whether <paramref name="id"/> ends generation (see <see cref="EndOfGenerationIds"/>).</summary>
    public bool IsEndOfGeneration(int id) => (uint)id < (uint)_isEndOfGeneration.Length && _isEndOfGeneration[id];

    /// <summary>Reads the tokenizer of a GGUF file: SentencePiece for <c>tokenizer.ggml.model = "llama"</c>, byte-level BPE
    /// for <c>"gpt2"</c>.</summary>
    /// <exception cref="InvalidDataException">The file has no tokenizer, or a tokenizer key has an impossible value
    /// (the message names the file and key).</exception>
    /// <exception cref="NotSupportedException">The tokenizer model or BPE pre-tokenizer is one LlamaGen does not implement;
    /// the message names the file and the value.</exception>
    public static Tokenizer FromGguf(GgufFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (!file.TryGetString(GgufTokenizerKeys.Model, out string model))
            throw new InvalidDataException($"{file.Path}: {GgufTokenizerKeys.Model} is missing; the file has no tokenizer.");
        return model switch
        {
            SentencePieceTokenizer.ModelName => SentencePieceTokenizer.FromGguf(file),
            BpeTokenizer.ModelName => BpeTokenizer.FromGguf(file),
            _ => throw new NotSupportedException(
                $"{file.Path}: {GgufTokenizerKeys.Model} is \"{model}\"; LlamaGen supports \"{SentencePieceTokenizer.ModelName}\" (SentencePiece) and \"{BpeTokenizer.ModelName}\" (byte-level BPE)."),
        };
    }

    /// <summary>Tokenizes text as llama.cpp's <c>llama_tokenize</c> does.</summary>
    /// <param name="text">The text; lone surrogates are encoded as U+FFFD.</param>
    /// <param name="addBos">Put <see cref="BosId"/> first (pass <see cref="AddBos"/> to do what the model expects).</param>
    /// <param name="parseSpecial">Turn the texts of control and unknown tokens (e.g. <c>&lt;s&gt;</c>) into those tokens.
    /// User-defined tokens are always matched, as in llama.cpp.</param>
    public int[] Encode(string text, bool addBos, bool parseSpecial = false)
    {
        var output = new List<int>(text is null ? 1 : text.Length / 3 + 2);
        Encode(text!, addBos, parseSpecial, output);
        return output.ToArray();
    }

    /// <summary>Tokenizes text and appends the ids to <paramref name="output"/> (see <see cref="Encode(string, bool, bool)"/>).</summary>
    public abstract void Encode(string text, bool addBos, bool parseSpecial, List<int> output);

    /// <summary>Tokenizes UTF-8 bytes as <c>llama_tokenize</c> does (see <see cref="Encode(string, bool, bool)"/>).</summary>
    public int[] EncodeUtf8(ReadOnlySpan<byte> utf8, bool addBos, bool parseSpecial = false)
    {
        var output = new List<int>(utf8.Length / 3 + 2);
        EncodeUtf8(utf8, addBos, parseSpecial, output);
        return output.ToArray();
    }

    /// <summary>Tokenizes UTF-8 bytes and appends the ids to <paramref name="output"/>. What invalid UTF-8 becomes is up to
    /// the tokenizer (see <see cref="BpeTokenizer"/> and <see cref="SentencePieceTokenizer"/>).</summary>
    public abstract void EncodeUtf8(ReadOnlySpan<byte> utf8, bool addBos, bool parseSpecial, List<int> output);

    /// <summary>
    /// The text of a token sequence as llama.cpp's <c>llama_detokenize(remove_special: true, unparse_special: false)</c>
    /// gives it: control and unknown tokens render as nothing, a leading BOS is dropped when the model adds one (and a
    /// trailing EOS when it adds one). Bytes that do not form valid UTF-8 become U+FFFD.
    /// </summary>
    public string Decode(ReadOnlySpan<int> ids) => Decode(ids, renderSpecialTokens: false);

    /// <summary>As <see cref="Decode(ReadOnlySpan{int})"/> when <paramref name="renderSpecialTokens"/> is false. When it is
    /// true, every token is shown, control and unknown tokens as their text:
    /// <c>llama_detokenize(remove_special: false, unparse_special: true)</c>.</summary>
    public string Decode(ReadOnlySpan<int> ids, bool renderSpecialTokens) =>
        Encoding.UTF8.GetString(DecodeToUtf8(ids, renderSpecialTokens));

    /// <summary>The exact bytes llama.cpp's detokenizer produces (see <see cref="Decode(ReadOnlySpan{int}, bool)"/>), before UTF-8 decoding.</summary>
    public byte[] DecodeToUtf8(ReadOnlySpan<int> ids, bool renderSpecialTokens = false) =>
        DecodeToUtf8(ids, removeSpecial: !renderSpecialTokens, unparseSpecial: renderSpecialTokens);

    /// <summary>llama.cpp's <c>llama_detokenize</c> with both of its flags.</summary>
    internal byte[] DecodeToUtf8(ReadOnlySpan<int> ids, bool removeSpecial, bool unparseSpecial)
    {
        foreach (int id in ids)
            ValidateId(id, nameof(ids));

        bool removeSpace = _decodeRemovesFirstSpace;
        if (removeSpecial && AddBos && ids.Length > 0 && ids[0] == BosId)
        {
            // llama.cpp keeps the space after a leading BOS: "<s> Hello" decodes to " Hello".
            removeSpace = false;
            ids = ids[1..];
        }
        if (removeSpecial && AddEos && ids.Length > 0 && ids[^1] == EosId)
            ids = ids[..^1];

        var bytes = new ArrayBufferWriter<byte>(ids.Length * 4 + 16);
        foreach (int id in ids)
        {
            bytes.Write(GetPieceBytes(id, unparseSpecial, removeSpace));
            removeSpace = false;
        }
        byte[] result = bytes.WrittenSpan.ToArray();
        return _cleanSpaces ? result[..SpaceCleanup.Apply(result)] : result;
    }

    /// <summary>
    /// The text one token renders to, special tokens shown by default. A token that is not a whole UTF-8 character on
    /// its own becomes U+FFFD; use <see cref="GetPieceBytes(int, bool)"/> or <see cref="StreamingDecoder"/> to assemble
    /// such characters.
    /// </summary>
    public string TokenToPiece(int id, bool renderSpecialTokens = true) =>
        Encoding.UTF8.GetString(GetPieceBytes(id, renderSpecialTokens));

    /// <summary>The bytes one token renders to (llama.cpp's <c>llama_token_to_piece</c> with <c>lstrip = 0</c>).</summary>
    public ReadOnlySpan<byte> GetPieceBytes(int id, bool renderSpecialTokens = true) =>
        GetPieceBytes(id, renderSpecialTokens, removeLeadingSpace: false);

    /// <summary>The token's text as stored in the vocabulary (U+2581 for spaces in SentencePiece, the byte alphabet in BPE).</summary>
    public string GetTokenText(int id)
    {
        ValidateId(id, nameof(id));
        return _texts[id];
    }

    /// <summary>The type of a token as llama.cpp treats it: the stored type, except that tokens llama.cpp recognizes by
    /// text as end-of-generation or infill tokens are <see cref="TokenType.Control"/> (and gpt-oss's chat markers
    /// <see cref="TokenType.UserDefined"/>), whatever the file says.</summary>
    public TokenType GetTokenType(int id)
    {
        ValidateId(id, nameof(id));
        return _types[id];
    }

    /// <summary>Looks up a token by its stored text.</summary>
    public bool TryGetId(string text, out int id) => _textToId.TryGetValue(text, out id);

    /// <summary>Whether decoding drops the leading space of the first token (llama.cpp's <c>add_space_prefix</c>).</summary>
    internal bool DecodeRemovesFirstSpace => _decodeRemovesFirstSpace;

    /// <summary>Whether decoding applies llama.cpp's space clean-up (<c>clean_spaces</c>).</summary>
    internal bool CleansSpaces => _cleanSpaces;

    internal Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> TextLookup { get; }

    internal SpecialTokenPartitioner Partitioner { get; }

    internal TokenAttributes GetAttributes(int id) => _attributes[id];

    internal ReadOnlySpan<byte> GetPieceBytes(int id, bool renderSpecialTokens, bool removeLeadingSpace)
    {
        ValidateId(id, nameof(id));
        if (!renderSpecialTokens && (_attributes[id] & (TokenAttributes.Control | TokenAttributes.Unknown)) != 0)
            return default;
        ReadOnlySpan<byte> piece = _renderedPieces[id];
        // llama.cpp's lstrip: at most one leading space, and only from what the token renders to.
        if (removeLeadingSpace && piece.Length > 0 && piece[0] == (byte)' ')
            piece = piece[1..];
        return piece;
    }

    internal void ValidateId(int id, string paramName)
    {
        if ((uint)id >= (uint)_texts.Length)
            throw new ArgumentOutOfRangeException(paramName, id,
                $"Token id {id} is outside the vocabulary of {_texts.Length} tokens (valid ids are 0 to {_texts.Length - 1}).");
    }

    /// <summary>Adds BOS when asked, failing clearly when the vocabulary has none.</summary>
    private protected void AddBosTo(List<int> output)
    {
        if (BosId < 0)
            throw new InvalidOperationException($"{Source}: BOS was requested but the vocabulary has no BOS token.");
        output.Add(BosId);
    }

    // llama.cpp's token_to_piece with special = true, by attribute: special and user-defined tokens render as their
    // text, normal ones as what their text stands for, byte tokens as their byte, anything else as nothing.
    private byte[] Render(int id, Func<string, byte[]> renderNormal, string source)
    {
        TokenAttributes attributes = _attributes[id];
        string text = _texts[id];
        if ((attributes & (TokenAttributes.Control | TokenAttributes.Unknown | TokenAttributes.UserDefined)) != 0)
            return Encoding.UTF8.GetBytes(text);
        if ((attributes & TokenAttributes.Normal) != 0)
            return renderNormal(text);
        if ((attributes & TokenAttributes.Byte) != 0)
        {
            if (text.Length != 6 || !text.StartsWith("<0x", StringComparison.Ordinal) || text[5] != '>'
                || !byte.TryParse(text.AsSpan(3, 2), System.Globalization.NumberStyles.AllowHexSpecifier, null, out byte value))
                throw new ArgumentException($"{source}: token {id} \"{Escape(text)}\" has type Byte but is not of the form <0xNN>.");
            return [value];
        }
        // Unused and undefined tokens render as nothing in llama.cpp.
        return [];
    }

    private static TokenType EffectiveType(TokenAttributes attributes) =>
        (attributes & TokenAttributes.Control) != 0 ? TokenType.Control
        : (attributes & TokenAttributes.Unknown) != 0 ? TokenType.Unknown
        : (attributes & TokenAttributes.UserDefined) != 0 ? TokenType.UserDefined
        : (attributes & TokenAttributes.Normal) != 0 ? TokenType.Normal
        : (attributes & TokenAttributes.Byte) != 0 ? TokenType.Byte
        : (attributes & TokenAttributes.Unused) != 0 ? TokenType.Unused
        : TokenType.Undefined;

    private static int CheckSpecialId(int id, string name, int vocabSize, string source)
    {
        if (id < -1 || id >= vocabSize)
            throw new ArgumentException($"{source}: the {name} id {id} is outside the vocabulary of {vocabSize} tokens.");
        return id;
    }

    internal static string Escape(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (char c in s)
        {
            if (c is '\\' or '"') sb.Append('\\').Append(c);
            else if (c < 0x20 || c is >= '\u007f' and <= '\u00a0' || char.IsSurrogate(c)) sb.Append($"\\u{(int)c:X4}");
            else sb.Append(c);
        }
        return sb.ToString();
    }
}
