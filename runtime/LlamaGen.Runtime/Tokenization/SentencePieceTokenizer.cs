using System.Buffers;
using System.Text;
using LlamaGen.Gguf;

namespace LlamaGen.Tokenization;

/// <summary>
/// The SentencePiece tokenizer of Llama-family models (GGUF <c>tokenizer.ggml.model = "llama"</c>), matching
/// llama.cpp's SPM tokenizer id for id (<c>llama_tokenize</c>) and byte for byte when decoding
/// (<c>llama_detokenize</c>; see <see cref="Tokenizer.Decode(ReadOnlySpan{int}, bool)"/> for the flags).
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
/// (LLamaSharp passes text to llama.cpp the same way, so both sides see the same bytes). <see cref="EncodeUtf8(ReadOnlySpan{byte}, bool, bool, List{int})"/>
/// takes valid UTF-8 only: llama.cpp's SPM path cuts invalid bytes into symbols by their lead byte, which this
/// tokenizer does not reproduce, so invalid input is refused rather than tokenized differently.</para>
/// <para>Instances are immutable and thread-safe.</para>
/// </remarks>
public sealed class SentencePieceTokenizer : Tokenizer
{
    /// <summary>The <c>tokenizer.ggml.model</c> value of SentencePiece vocabularies.</summary>
    public const string ModelName = "llama";

    private const char SpaceMarker = '\u2581';
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly float[] _scores;
    private readonly int[] _byteToId;

    /// <summary>Builds a tokenizer from plain arrays (see <see cref="TokenizerVocabulary"/>).</summary>
    /// <exception cref="ArgumentException">The arrays are inconsistent, a piece occurs twice, a byte piece is malformed,
    /// or a special id is outside the vocabulary.</exception>
    public SentencePieceTokenizer(TokenizerVocabulary vocabulary)
        : this(Checked(vocabulary, "vocabulary"), "vocabulary", SpecialTokenKeys.None, [])
    {
    }

    private SentencePieceTokenizer(TokenizerVocabulary vocabulary, string source, SpecialTokenKeys keys, List<string> warnings)
        : base(source, vocabulary.Tokens, vocabulary.TokenTypes, RenderNormal,
            vocabulary.BosId, vocabulary.EosId, vocabulary.UnknownId, vocabulary.PaddingId, vocabulary.AddBos, vocabulary.AddEos,
            decodeRemovesFirstSpace: vocabulary.AddSpacePrefix, cleanSpaces: false, keys, warnings)
    {
        int n = VocabSize;
        _scores = new float[n];
        for (int id = 0; id < n; id++)
            _scores[id] = vocabulary.Scores?[id] ?? 0f;

        _byteToId = new int[256];
        for (int b = 0; b < 256; b++)
        {
            // llama.cpp's byte_to_token: the <0xNN> piece (upper-case hex), else a piece that is the byte itself.
            if (!TryGetId($"<0x{b:X2}>", out int id) && !(b < 0x80 && TryGetId(((char)b).ToString(), out id)))
                id = -1;
            _byteToId[b] = id;
        }
        AddSpacePrefix = vocabulary.AddSpacePrefix;
    }

    /// <summary>Whether a space is put before text when encoding and the first token's leading space is removed when decoding.</summary>
    public bool AddSpacePrefix { get; }

    /// <summary>Reads the tokenizer of a GGUF file (<c>tokenizer.ggml.*</c> keys), with llama.cpp's SPM defaults for absent keys.</summary>
    /// <exception cref="NotSupportedException">The file's tokenizer is not SentencePiece (<c>tokenizer.ggml.model</c> is not <c>"llama"</c>).</exception>
    /// <exception cref="InvalidDataException">A tokenizer key has the wrong type or an impossible value; the message names the file and key.</exception>
    public static new SentencePieceTokenizer FromGguf(GgufFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (!file.TryGetString(GgufTokenizerKeys.Model, out string model))
            throw new InvalidDataException($"{file.Path}: {GgufTokenizerKeys.Model} is missing; the file has no tokenizer.");
        if (model != ModelName)
            throw new NotSupportedException($"{file.Path}: {GgufTokenizerKeys.Model} is \"{model}\"; only \"{ModelName}\" (SentencePiece) tokenizers are supported.");

        string[] tokens = file.GetStringArray(GgufTokenizerKeys.Tokens);
        var vocabulary = new TokenizerVocabulary(
            tokens,
            Scores: GgufTokenizerKeys.ReadScores(file, tokens.Length),
            TokenTypes: GgufTokenizerKeys.ReadTokenTypes(file, tokens.Length),
            BosId: GgufTokenizerKeys.ReadId(file, GgufTokenizerKeys.BosId, 1, tokens.Length),
            EosId: GgufTokenizerKeys.ReadId(file, GgufTokenizerKeys.EosId, 2, tokens.Length),
            UnknownId: GgufTokenizerKeys.ReadId(file, GgufTokenizerKeys.UnknownId, 0, tokens.Length),
            PaddingId: GgufTokenizerKeys.ReadId(file, GgufTokenizerKeys.PaddingId, -1, tokens.Length),
            AddBos: GgufTokenizerKeys.ReadBool(file, GgufTokenizerKeys.AddBos, true),
            AddEos: GgufTokenizerKeys.ReadBool(file, GgufTokenizerKeys.AddEos, false),
            AddSpacePrefix: GgufTokenizerKeys.ReadBool(file, GgufTokenizerKeys.AddSpacePrefix, true));
        var warnings = new List<string>();
        SpecialTokenKeys keys = GgufTokenizerKeys.ReadSpecialTokenKeys(file, tokens.Length, warnings);
        try
        {
            return new SentencePieceTokenizer(Checked(vocabulary, file.Path), file.Path, keys, warnings);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException(e.Message, e);
        }
    }

    /// <inheritdoc/>
    public override void Encode(string text, bool addBos, bool parseSpecial, List<int> output)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(output);
        text = ReplaceLoneSurrogates(text);

        if (addBos)
            AddBosTo(output);

        // llama.cpp prefixes a space to the first text run and to every run that follows a special token.
        bool previousWasSpecial = true;
        foreach (TextFragment fragment in Partitioner.Partition(text.AsSpan(), parseSpecial))
        {
            if (!fragment.IsText)
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

    /// <summary>Tokenizes valid UTF-8 (see <see cref="Encode(string, bool, bool, List{int})"/>).</summary>
    /// <exception cref="ArgumentException">The bytes are not valid UTF-8 (see the remarks).</exception>
    public override void EncodeUtf8(ReadOnlySpan<byte> utf8, bool addBos, bool parseSpecial, List<int> output)
    {
        string text;
        try
        {
            text = StrictUtf8.GetString(utf8);
        }
        catch (DecoderFallbackException e)
        {
            throw new ArgumentException($"{Source}: the SentencePiece tokenizer takes valid UTF-8 only: {e.Message}", nameof(utf8), e);
        }
        Encode(text, addBos, parseSpecial, output);
    }

    /// <summary>The merge score of a token.</summary>
    public float GetScore(int id)
    {
        ValidateId(id, nameof(id));
        return _scores[id];
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
                if (TextLookup.TryGetValue(piece, out int id))
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
        if (!TextLookup.TryGetValue(text.Slice(symbols[left].Start, length), out int id))
            return;
        queue.Enqueue(new SpmBigram(_scores[id], left, right, length, id));
    }

    private static byte[] RenderNormal(string piece) => Encoding.UTF8.GetBytes(piece.Replace(SpaceMarker, ' '));

    private static TokenizerVocabulary Checked(TokenizerVocabulary vocabulary, string source)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        string[] tokens = vocabulary.Tokens ?? throw new ArgumentException($"{source}: the token list is missing.", nameof(vocabulary));
        if (vocabulary.Scores is { } s && s.Length < tokens.Length)
            throw new ArgumentException($"{source}: {s.Length} scores for {tokens.Length} tokens.", nameof(vocabulary));
        return vocabulary;
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
}
