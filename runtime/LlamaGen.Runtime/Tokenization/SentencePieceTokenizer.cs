using System.Buffers;
using System.Text;
using LlamaGen.Gguf;

namespace LlamaGen.Tokenization;

/// <summary>
/// The SentencePiece tokenizer of Llama-family models (GGUF <c>tokenizer.ggml.model = "llama"</c>), matching
/// llama.cpp's SPM tokenizer id for id (<c>llama_tokenize</c>) and byte for byte when decoding
/// (<c>llama_detokenize</c>; see <see cref="Decode(ReadOnlySpan{int}, bool)"/> for the flags).
/// </summary>
/// <remarks>
/// <para>Encoding, as llama.cpp does it:</para>
/// <list type="number">
/// <item>Special-token partition: the text is cut at every occurrence of a user-defined token's text, and, when
/// <c>parseSpecial</c> is true, of control and unknown tokens' texts too; longer token texts are matched first.</item>
/// <item>Each remaining run of plain text gets a leading space when <see cref="AddSpacePrefix"/> is set and it is the
/// first run or follows a special token, then every space (U+0020 only) becomes U+2581.</item>
/// <item>The run is split into code points and adjacent pairs are merged while the merged text is a vocabulary
/// piece, highest score first, ties to the leftmost pair.</item>
/// <item>A final symbol that is no piece becomes its UTF-8 bytes as <c>&lt;0xNN&gt;</c> byte-fallback tokens.</item>
/// </list>
/// <para>Text is converted to UTF-8 the way <see cref="Encoding.UTF8"/> does it: a lone surrogate becomes U+FFFD
/// (LLamaSharp passes text to llama.cpp the same way, so both sides see the same bytes).</para>
/// <para>Instances are immutable and thread-safe.</para>
/// </remarks>
public sealed class SentencePieceTokenizer
{
    private const char SpaceMarker = '\u2581';

    private readonly string[] _pieces;
    private readonly float[] _scores;
    private readonly TokenType[] _types;
    // What each token renders to when special tokens are shown: llama.cpp's token-to-piece cache.
    private readonly byte[][] _renderedPieces;
    private readonly Dictionary<string, int> _pieceToId;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _pieceLookup;
    private readonly int[] _byteToId;
    // Control, unknown and user-defined tokens, longest text first: the order llama.cpp tries them in.
    private readonly int[] _specialIdsLongestFirst;

    /// <summary>Builds a tokenizer from plain arrays (see <see cref="TokenizerVocabulary"/>).</summary>
    /// <exception cref="ArgumentException">The arrays are inconsistent, a piece occurs twice, a byte piece is malformed,
    /// or a special id is outside the vocabulary.</exception>
    public SentencePieceTokenizer(TokenizerVocabulary vocabulary)
        : this(vocabulary, source: "vocabulary")
    {
    }

    private SentencePieceTokenizer(TokenizerVocabulary vocabulary, string source)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        string[] tokens = vocabulary.Tokens ?? throw new ArgumentException($"{source}: the token list is missing.", nameof(vocabulary));
        int n = tokens.Length;
        if (n == 0)
            throw new ArgumentException($"{source}: the token list is empty.", nameof(vocabulary));
        if (vocabulary.Scores is { } s && s.Length < n)
            throw new ArgumentException($"{source}: {s.Length} scores for {n} tokens.", nameof(vocabulary));
        if (vocabulary.TokenTypes is { } t && t.Length < n)
            throw new ArgumentException($"{source}: {t.Length} token types for {n} tokens.", nameof(vocabulary));

        _pieces = new string[n];
        _scores = new float[n];
        _types = new TokenType[n];
        _renderedPieces = new byte[n][];
        _pieceToId = new Dictionary<string, int>(n, StringComparer.Ordinal);
        for (int id = 0; id < n; id++)
        {
            // llama.cpp gives an empty piece a placeholder text so every id stays reachable and distinct.
            string piece = string.IsNullOrEmpty(tokens[id]) ? $"[EMPTY_{id}]" : tokens[id];
            if (!_pieceToId.TryAdd(piece, id))
                throw new ArgumentException($"{source}: duplicate token \"{Escape(piece)}\" at ids {_pieceToId[piece]} and {id}.", nameof(vocabulary));
            _pieces[id] = piece;
            _scores[id] = vocabulary.Scores?[id] ?? 0f;
            _types[id] = vocabulary.TokenTypes?[id] ?? TokenType.Normal;
            _renderedPieces[id] = RenderWithSpecial(id, piece, _types[id], source);
        }
        _pieceLookup = _pieceToId.GetAlternateLookup<ReadOnlySpan<char>>();

        _byteToId = new int[256];
        for (int b = 0; b < 256; b++)
        {
            // llama.cpp's byte_to_token: the <0xNN> piece (upper-case hex), else a piece that is the byte itself.
            if (!_pieceToId.TryGetValue($"<0x{b:X2}>", out int id) && !(b < 0x80 && _pieceToId.TryGetValue(((char)b).ToString(), out id)))
                id = -1;
            _byteToId[b] = id;
        }

        _specialIdsLongestFirst = Enumerable.Range(0, n)
            .Where(id => _types[id] is TokenType.Control or TokenType.UserDefined or TokenType.Unknown)
            .OrderByDescending(id => Encoding.UTF8.GetByteCount(_pieces[id]))
            .ThenBy(id => id)
            .ToArray();

        BosId = CheckSpecialId(vocabulary.BosId, "BOS", n, source);
        EosId = CheckSpecialId(vocabulary.EosId, "EOS", n, source);
        UnknownId = CheckSpecialId(vocabulary.UnknownId, "unknown", n, source);
        PaddingId = CheckSpecialId(vocabulary.PaddingId, "padding", n, source);
        AddBos = vocabulary.AddBos;
        AddEos = vocabulary.AddEos;
        AddSpacePrefix = vocabulary.AddSpacePrefix;
        if (AddBos && BosId < 0)
            throw new ArgumentException($"{source}: BOS should be added but no BOS id is set.", nameof(vocabulary));
        if (AddEos && EosId < 0)
            throw new ArgumentException($"{source}: EOS should be added but no EOS id is set.", nameof(vocabulary));
    }

    /// <summary>Number of tokens in the vocabulary; valid ids are 0 to <c>VocabSize - 1</c>.</summary>
    public int VocabSize => _pieces.Length;
    /// <summary>Beginning-of-sequence id, or -1 when the vocabulary has none.</summary>
    public int BosId { get; }
    /// <summary>End-of-sequence id, or -1 when the vocabulary has none.</summary>
    public int EosId { get; }
    /// <summary>Unknown-token id, or -1 when the vocabulary has none. SPM never produces it (it falls back to bytes).</summary>
    public int UnknownId { get; }
    /// <summary>Padding id, or -1 when the vocabulary has none.</summary>
    public int PaddingId { get; }
    /// <summary>Whether the model expects prompts to start with BOS (pass it as <c>addBos</c>).</summary>
    public bool AddBos { get; }
    /// <summary>Whether the model expects prompts to end with EOS. <see cref="Encode"/> never appends it; append <see cref="EosId"/> yourself.</summary>
    public bool AddEos { get; }
    /// <summary>Whether a space is put before text when encoding and the first token's leading space is removed when decoding.</summary>
    public bool AddSpacePrefix { get; }

    /// <summary>Reads the tokenizer of a GGUF file (<c>tokenizer.ggml.*</c> keys), with llama.cpp's SPM defaults for absent keys.</summary>
    /// <exception cref="NotSupportedException">The file's tokenizer is not SentencePiece (<c>tokenizer.ggml.model</c> is not <c>"llama"</c>).</exception>
    /// <exception cref="InvalidDataException">A tokenizer key has the wrong type or an impossible value; the message names the file and key.</exception>
    public static SentencePieceTokenizer FromGguf(GgufFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        const string ModelKey = "tokenizer.ggml.model";
        if (!file.TryGetString(ModelKey, out string model))
            throw new InvalidDataException($"{file.Path}: {ModelKey} is missing; the file has no tokenizer.");
        if (model != "llama")
            throw new NotSupportedException($"{file.Path}: {ModelKey} is \"{model}\"; only \"llama\" (SentencePiece) tokenizers are supported.");

        string[] tokens = file.GetStringArray("tokenizer.ggml.tokens");
        var vocabulary = new TokenizerVocabulary(
            tokens,
            Scores: ReadScores(file, tokens.Length),
            TokenTypes: ReadTokenTypes(file, tokens.Length),
            BosId: ReadId(file, "tokenizer.ggml.bos_token_id", 1, tokens.Length),
            EosId: ReadId(file, "tokenizer.ggml.eos_token_id", 2, tokens.Length),
            UnknownId: ReadId(file, "tokenizer.ggml.unknown_token_id", 0, tokens.Length),
            PaddingId: ReadId(file, "tokenizer.ggml.padding_token_id", -1, tokens.Length),
            AddBos: ReadBool(file, "tokenizer.ggml.add_bos_token", true),
            AddEos: ReadBool(file, "tokenizer.ggml.add_eos_token", false),
            AddSpacePrefix: ReadBool(file, "tokenizer.ggml.add_space_prefix", true));
        try
        {
            return new SentencePieceTokenizer(vocabulary, file.Path);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException(e.Message, e);
        }
    }

    /// <summary>Tokenizes text as llama.cpp's <c>llama_tokenize</c> does for SPM vocabularies.</summary>
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
    public void Encode(string text, bool addBos, bool parseSpecial, List<int> output)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(output);
        text = ReplaceLoneSurrogates(text);

        if (addBos)
        {
            if (BosId < 0)
                throw new InvalidOperationException("BOS was requested but the vocabulary has no BOS token.");
            output.Add(BosId);
        }

        // llama.cpp prefixes a space to the first text run and to every run that follows a special token.
        bool previousWasSpecial = true;
        foreach (Fragment fragment in Partition(text, parseSpecial))
        {
            if (fragment.TokenId >= 0)
            {
                output.Add(fragment.TokenId);
                previousWasSpecial = true;
            }
            else
            {
                EncodeText(text.AsSpan(fragment.Start, fragment.Length), AddSpacePrefix && previousWasSpecial, output);
                previousWasSpecial = false;
            }
        }
    }

    /// <summary>
    /// The text of a token sequence as llama.cpp's <c>llama_detokenize(remove_special: true, unparse_special: false)</c>
    /// gives it: control and unknown tokens render as nothing, a leading BOS is dropped, and when
    /// <see cref="AddSpacePrefix"/> is set the first token's leading space is removed unless the sequence starts with BOS
    /// (so <c>Decode(Encode(text, addBos: false)) == text</c>, while after a BOS the text keeps a leading space).
    /// Bytes that do not form valid UTF-8 become U+FFFD.
    /// </summary>
    public string Decode(ReadOnlySpan<int> ids) => Decode(ids, renderSpecialTokens: false);

    /// <summary>As <see cref="Decode(ReadOnlySpan{int})"/> when <paramref name="renderSpecialTokens"/> is false. When it is
    /// true, every token is shown, control and unknown tokens as their text:
    /// <c>llama_detokenize(remove_special: false, unparse_special: true)</c>.</summary>
    public string Decode(ReadOnlySpan<int> ids, bool renderSpecialTokens) =>
        Encoding.UTF8.GetString(DecodeToUtf8(ids, renderSpecialTokens));

    /// <summary>The exact bytes llama.cpp's detokenizer produces (see <see cref="Decode(ReadOnlySpan{int}, bool)"/>), before UTF-8 decoding.</summary>
    public byte[] DecodeToUtf8(ReadOnlySpan<int> ids, bool renderSpecialTokens = false)
    {
        foreach (int id in ids)
            ValidateId(id, nameof(ids));

        bool removeSpace = AddSpacePrefix;
        bool removeSpecial = !renderSpecialTokens;
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
            ReadOnlySpan<byte> piece = GetPieceBytes(id, renderSpecialTokens, removeSpace);
            removeSpace = false;
            bytes.Write(piece);
        }
        return bytes.WrittenSpan.ToArray();
    }

    /// <summary>
    /// The text one token renders to, special tokens shown by default. A byte-fallback token that is not a whole
    /// UTF-8 character on its own becomes U+FFFD; use <see cref="GetPieceBytes(int, bool)"/> or
    /// <see cref="StreamingDecoder"/> to assemble such characters.
    /// </summary>
    public string TokenToPiece(int id, bool renderSpecialTokens = true) =>
        Encoding.UTF8.GetString(GetPieceBytes(id, renderSpecialTokens));

    /// <summary>The bytes one token renders to (llama.cpp's <c>llama_token_to_piece</c> with <c>lstrip = 0</c>).</summary>
    public ReadOnlySpan<byte> GetPieceBytes(int id, bool renderSpecialTokens = true) =>
        GetPieceBytes(id, renderSpecialTokens, removeLeadingSpace: false);

    /// <summary>The piece text as stored in the vocabulary (U+2581 for spaces, <c>&lt;0xNN&gt;</c> for bytes).</summary>
    public string GetTokenText(int id)
    {
        ValidateId(id, nameof(id));
        return _pieces[id];
    }

    /// <summary>The type of a token.</summary>
    public TokenType GetTokenType(int id)
    {
        ValidateId(id, nameof(id));
        return _types[id];
    }

    /// <summary>The merge score of a token.</summary>
    public float GetScore(int id)
    {
        ValidateId(id, nameof(id));
        return _scores[id];
    }

    /// <summary>Looks up a piece by its stored text (U+2581 for spaces).</summary>
    public bool TryGetId(string piece, out int id) => _pieceToId.TryGetValue(piece, out id);

    internal ReadOnlySpan<byte> GetPieceBytes(int id, bool renderSpecialTokens, bool removeLeadingSpace)
    {
        ValidateId(id, nameof(id));
        if (!renderSpecialTokens && _types[id] is TokenType.Control or TokenType.Unknown)
            return default;
        ReadOnlySpan<byte> piece = _renderedPieces[id];
        // llama.cpp's lstrip: at most one leading space, and only from what the token renders to.
        if (removeLeadingSpace && piece.Length > 0 && piece[0] == (byte)' ')
            piece = piece[1..];
        return piece;
    }

    internal void ValidateId(int id, string paramName)
    {
        if ((uint)id >= (uint)_pieces.Length)
            throw new ArgumentOutOfRangeException(paramName, id,
                $"Token id {id} is outside the vocabulary of {_pieces.Length} tokens (valid ids are 0 to {_pieces.Length - 1}).");
    }

    private readonly record struct Fragment(int Start, int Length, int TokenId);

    // llama.cpp's tokenizer_st_partition: for each special token, longest first, cut every plain-text fragment at
    // each of its occurrences, left to right.
    private List<Fragment> Partition(string text, bool parseSpecial)
    {
        var fragments = new List<Fragment>();
        if (text.Length == 0)
            return fragments;
        fragments.Add(new Fragment(0, text.Length, -1));

        foreach (int specialId in _specialIdsLongestFirst)
        {
            if (!parseSpecial && _types[specialId] is TokenType.Control or TokenType.Unknown)
                continue;
            string needle = _pieces[specialId];
            if (needle.Length > text.Length || !text.Contains(needle, StringComparison.Ordinal))
                continue;

            var next = new List<Fragment>(fragments.Count + 4);
            foreach (Fragment fragment in fragments)
            {
                if (fragment.TokenId >= 0)
                {
                    next.Add(fragment);
                    continue;
                }
                int start = fragment.Start;
                int end = fragment.Start + fragment.Length;
                while (start < end)
                {
                    int match = text.AsSpan(start, end - start).IndexOf(needle, StringComparison.Ordinal);
                    if (match < 0)
                        break;
                    if (match > 0)
                        next.Add(new Fragment(start, match, -1));
                    next.Add(new Fragment(0, 0, specialId));
                    start += match + needle.Length;
                }
                if (start < end)
                    next.Add(new Fragment(start, end - start, -1));
            }
            fragments = next;
        }
        return fragments;
    }

    private struct Symbol
    {
        public int Start;
        public int Length; // in chars; 0 once merged into its left neighbour
        public int Previous;
        public int Next;
        public int Id;     // the piece a merge produced, or -1 when not yet known
    }

    // llama.cpp's llm_tokenizer_spm_session on one text run. It works on UTF-16 code units instead of UTF-8 bytes:
    // symbols are whole code points either way, so merges, lookups and the byte fallback are the same.
    private void EncodeText(ReadOnlySpan<char> raw, bool addSpacePrefix, List<int> output)
    {
        int length = raw.Length + (addSpacePrefix ? 1 : 0);
        char[] rented = ArrayPool<char>.Shared.Rent(length);
        Symbol[] symbols = ArrayPool<Symbol>.Shared.Rent(length);
        var queue = new PriorityHeap<SpmBigram, SpmBigram>(length);
        try
        {
            Span<char> text = rented.AsSpan(0, length);
            int w = 0;
            if (addSpacePrefix)
                text[w++] = SpaceMarker;
            foreach (char c in raw)
                text[w++] = c == ' ' ? SpaceMarker : c;

            int count = 0;
            for (int offset = 0; offset < length;)
            {
                int width = char.IsHighSurrogate(text[offset]) && offset + 1 < length && char.IsLowSurrogate(text[offset + 1]) ? 2 : 1;
                symbols[count] = new Symbol { Start = offset, Length = width, Previous = count - 1, Next = offset + width == length ? -1 : count + 1, Id = -1 };
                offset += width;
                count++;
            }
            if (count == 0)
                return;

            for (int i = 1; i < count; i++)
                TryAddBigram(text, symbols, ref queue, i - 1, i);

            while (queue.TryDequeue(out SpmBigram bigram))
            {
                ref Symbol left = ref symbols[bigram.Left];
                ref Symbol right = ref symbols[bigram.Right];
                // Stale entry: one side was merged away or grew since the pair was queued.
                if (left.Length == 0 || right.Length == 0 || left.Length + right.Length != bigram.Length)
                    continue;

                left.Length += right.Length;
                left.Id = bigram.Id;
                right.Length = 0;
                left.Next = right.Next;
                if (right.Next >= 0)
                    symbols[right.Next].Previous = bigram.Left;

                TryAddBigram(text, symbols, ref queue, left.Previous, bigram.Left);
                TryAddBigram(text, symbols, ref queue, bigram.Left, left.Next);
            }

            // Every merged symbol is a piece (a pair is only queued when its text is one), so only single code
            // points can be missing from the vocabulary; llama.cpp's rev_merge re-split never applies to them.
            Span<byte> utf8 = stackalloc byte[4];
            for (int i = 0; i != -1; i = symbols[i].Next)
            {
                if (symbols[i].Id >= 0)
                {
                    output.Add(symbols[i].Id);
                    continue;
                }
                ReadOnlySpan<char> piece = text.Slice(symbols[i].Start, symbols[i].Length);
                if (_pieceLookup.TryGetValue(piece, out int id))
                {
                    output.Add(id);
                    continue;
                }
                int byteCount = Encoding.UTF8.GetBytes(piece, utf8);
                for (int b = 0; b < byteCount; b++)
                {
                    int byteId = _byteToId[utf8[b]];
                    if (byteId < 0)
                        throw new InvalidOperationException(
                            $"Cannot tokenize U+{char.ConvertToUtf32(piece.ToString(), 0):X4}: it is not in the vocabulary and byte 0x{utf8[b]:X2} has no <0x{utf8[b]:X2}> byte-fallback token.");
                    output.Add(byteId);
                }
            }
        }
        finally
        {
            queue.Dispose();
            ArrayPool<Symbol>.Shared.Return(symbols);
            ArrayPool<char>.Shared.Return(rented);
        }
    }

    private void TryAddBigram(ReadOnlySpan<char> text, Symbol[] symbols, ref PriorityHeap<SpmBigram, SpmBigram> queue, int left, int right)
    {
        if (left < 0 || right < 0)
            return;
        int length = symbols[left].Length + symbols[right].Length;
        if (!_pieceLookup.TryGetValue(text.Slice(symbols[left].Start, length), out int id))
            return;
        queue.Enqueue(new SpmBigram(_scores[id], left, right, length, id));
    }

    private static byte[] RenderWithSpecial(int id, string piece, TokenType type, string source)
    {
        switch (type)
        {
            case TokenType.Control or TokenType.Unknown or TokenType.UserDefined:
                return Encoding.UTF8.GetBytes(piece);
            case TokenType.Normal:
                return Encoding.UTF8.GetBytes(piece.Replace(SpaceMarker, ' '));
            case TokenType.Byte:
                if (piece.Length != 6 || !piece.StartsWith("<0x", StringComparison.Ordinal) || piece[5] != '>'
                    || !byte.TryParse(piece.AsSpan(3, 2), System.Globalization.NumberStyles.AllowHexSpecifier, null, out byte value))
                    throw new ArgumentException($"{source}: token {id} \"{Escape(piece)}\" has type Byte but is not of the form <0xNN>.");
                return [value];
            default:
                // Unused and undefined tokens render as nothing in llama.cpp.
                return [];
        }
    }

    private static int CheckSpecialId(int id, string name, int vocabSize, string source)
    {
        if (id < -1 || id >= vocabSize)
            throw new ArgumentException($"{source}: the {name} id {id} is outside the vocabulary of {vocabSize} tokens.");
        return id;
    }

    private static string ReplaceLoneSurrogates(string text)
    {
        int first = text.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF');
        if (first < 0)
            return text;
        // Only pay for the copy when a surrogate is actually unpaired.
        for (int i = first; i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                i++;
            else if (char.IsSurrogate(c))
                return Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(text));
        }
        return text;
    }

    // The readers below use GgufFile's typed accessors, which throw GgufFormatException naming the key and its
    // byte offset when a key is present with an unusable type.
    private static float[]? ReadScores(GgufFile file, int tokenCount)
    {
        const string Key = "tokenizer.ggml.scores";
        if (!file.TryGetValue(Key, out GgufValue? value))
            return null;
        // llama.cpp accepts integer scores as well as float32 ones.
        float[] scores = value.Type == GgufValueType.Array && value.ElementType != GgufValueType.Float32
            ? Array.ConvertAll(file.GetInt32Array(Key), x => (float)x)
            : file.GetFloat32Array(Key);
        if (scores.Length < tokenCount)
            throw new InvalidDataException($"{file.Path}: {Key} has {scores.Length} entries for {tokenCount} tokens.");
        return scores;
    }

    private static TokenType[]? ReadTokenTypes(GgufFile file, int tokenCount)
    {
        const string Key = "tokenizer.ggml.token_type";
        if (!file.TryGetInt32Array(Key, out int[] raw))
            return null;
        if (raw.Length < tokenCount)
            throw new InvalidDataException($"{file.Path}: {Key} has {raw.Length} entries for {tokenCount} tokens.");
        var types = new TokenType[tokenCount];
        for (int i = 0; i < tokenCount; i++)
            types[i] = raw[i] is >= 1 and <= 6 ? (TokenType)raw[i] : TokenType.Undefined; // as llama.cpp maps unknown codes
        return types;
    }

    private static int ReadId(GgufFile file, string key, int defaultId, int tokenCount)
    {
        if (!file.TryGetUInt32(key, out uint id))
            return defaultId < tokenCount ? defaultId : -1;
        if (id >= tokenCount)
            throw new InvalidDataException($"{file.Path}: {key} = {id} is outside the vocabulary of {tokenCount} tokens.");
        return (int)id;
    }

    private static bool ReadBool(GgufFile file, string key, bool defaultValue) =>
        file.TryGetBool(key, out bool value) ? value : defaultValue;

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
