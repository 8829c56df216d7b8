using System.Buffers;
using System.Text;
using LlamaGen.Gguf;

namespace LlamaGen.Tokenization;

/// <summary>
/// The byte-level BPE tokenizer of GGUF vocabularies with <c>tokenizer.ggml.model = "gpt2"</c> (Llama 3, GPT-2, StarCoder,
/// DeepSeek, Falcon...), matching llama.cpp's <c>llm_tokenizer_bpe</c> id for id and its detokenizer byte for byte.
/// </summary>
/// <remarks>
/// <para>Encoding, as llama.cpp does it:</para>
/// <list type="number">
/// <item>Special-token partition, as for SentencePiece: user-defined tokens always, control and unknown tokens when
/// special tokens are parsed, longest first.</item>
/// <item>Each run of text is decoded into code points (leniently, as llama.cpp does: see below) and split into words by
/// the pre-tokenizer <c>tokenizer.ggml.pre</c> names, classifying code points with llama.cpp's own Unicode tables.</item>
/// <item>Each word's UTF-8 bytes are written in GPT-2's byte alphabet; with the Llama 3 presets a word that is itself a
/// token is emitted whole (<c>ignore_merges</c>); otherwise adjacent symbols merge by the rank of their rule in
/// <c>tokenizer.ggml.merges</c>, lowest rank first, ties to the leftmost pair.</item>
/// </list>
/// <para>Invalid UTF-8 is tokenized as llama.cpp tokenizes it: a byte that starts no sequence its decoder accepts becomes
/// U+FFFD, while overlong and surrogate forms pass as the values they encode and are re-encoded in shortest form. A
/// four-byte form above U+10FFFF (lead bytes F4..F7), on which llama.cpp aborts, is refused with an
/// <see cref="ArgumentException"/>.</para>
/// <para>Decoding turns each normal token's characters back into bytes and, for most presets, applies llama.cpp's
/// clean-up of spaces before punctuation and contractions (<see cref="Tokenizer.Decode(ReadOnlySpan{int}, bool)"/>).</para>
/// <para>Instances are immutable and thread-safe.</para>
/// </remarks>
public sealed class BpeTokenizer : Tokenizer
{
    /// <summary>The <c>tokenizer.ggml.model</c> value of byte-level BPE vocabularies.</summary>
    public const string ModelName = "gpt2";

    // llama.cpp's BPE default for both BOS and EOS when the file names neither.
    private const int DefaultSpecialId = 11;

    private readonly BpePreTokenizer _preTokenizer;
    private readonly BpeMergeTable _merges;
    // Per byte: the token and merge part of its one-character text in the byte alphabet.
    private readonly int[] _byteToken = new int[256];
    private readonly int[] _bytePart = new int[256];
    // Per ASCII character: the token whose text is that one byte (llama.cpp's fallback for symbols that are no token).
    private readonly int[] _asciiToken = new int[128];

    /// <summary>Builds a tokenizer from plain arrays (see <see cref="BpeVocabulary"/>).</summary>
    /// <exception cref="ArgumentException">The arrays are inconsistent, a token occurs twice, or a special id is outside
    /// the vocabulary.</exception>
    /// <exception cref="NotSupportedException">The pre-tokenizer is not one of <see cref="PreTokenizerNames"/>.</exception>
    public BpeTokenizer(BpeVocabulary vocabulary)
        : this(Checked(vocabulary), "vocabulary", PreTokenizerFor(vocabulary.PreTokenizer, "vocabulary"), SpecialTokenKeys.None, [])
    {
    }

    private BpeTokenizer(BpeVocabulary vocabulary, string source, BpePreTokenizer preTokenizer, SpecialTokenKeys keys, List<string> warnings)
        : base(source, vocabulary.Tokens, vocabulary.TokenTypes, RenderNormal,
            vocabulary.BosId, vocabulary.EosId, unknownId: -1, paddingId: -1,
            vocabulary.AddBos ?? preTokenizer.AddBosByDefault, vocabulary.AddEos,
            decodeRemovesFirstSpace: vocabulary.AddSpacePrefix, cleanSpaces: preTokenizer.CleanSpaces, keys, warnings)
    {
        _preTokenizer = preTokenizer;
        _merges = new BpeMergeTable(vocabulary.Merges, text => TryGetId(text, out int id) ? id : -1);
        for (int b = 0; b < 256; b++)
        {
            string text = ByteLevelAlphabet.ToChar((byte)b).ToString();
            _byteToken[b] = TryGetId(text, out int id) ? id : -1;
            _bytePart[b] = _merges.FindPart(text);
        }
        for (int c = 0; c < 128; c++)
            _asciiToken[c] = TryGetId(((char)c).ToString(), out int id) ? id : -1;
    }

    /// <summary>The <c>tokenizer.ggml.pre</c> value the pre-tokenizer was chosen by (<c>"default"</c> when the file has none).</summary>
    public string PreTokenizer => _preTokenizer.Name;

    /// <summary>Number of merge rules.</summary>
    public int MergeCount => _merges.Count;

    /// <summary>The <c>tokenizer.ggml.pre</c> values this tokenizer implements, each split as llama.cpp splits it.</summary>
    public static IReadOnlyList<string> PreTokenizerNames => BpePreTokenizer.Names;

    /// <summary>Reads the tokenizer of a GGUF file (<c>tokenizer.ggml.*</c> keys) with llama.cpp's BPE defaults for absent keys.</summary>
    /// <exception cref="NotSupportedException">The tokenizer is not byte-level BPE, or its pre-tokenizer is not one this
    /// tokenizer implements (the message names the file and the value).</exception>
    /// <exception cref="InvalidDataException">A tokenizer key is missing, has the wrong type or an impossible value; the
    /// message names the file and key.</exception>
    public static new BpeTokenizer FromGguf(GgufFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (!file.TryGetString(GgufTokenizerKeys.Model, out string model))
            throw new InvalidDataException($"{file.Path}: {GgufTokenizerKeys.Model} is missing; the file has no tokenizer.");
        if (model != ModelName)
            throw new NotSupportedException($"{file.Path}: {GgufTokenizerKeys.Model} is \"{model}\"; only \"{ModelName}\" (byte-level BPE) vocabularies are read here.");
        if (!file.TryGetStringArray(GgufTokenizerKeys.Merges, out string[] merges))
            throw new InvalidDataException($"{file.Path}: {GgufTokenizerKeys.Merges} is missing; a BPE vocabulary needs its merge rules.");

        var warnings = new List<string>();
        if (!file.TryGetString(GgufTokenizerKeys.PreTokenizer, out string pre))
        {
            pre = BpePreTokenizer.DefaultName;
            // llama.cpp's warning, in its words.
            warnings.Add($"missing pre-tokenizer type, using: '{pre}'");
            warnings.Add("GENERATION QUALITY WILL BE DEGRADED!");
            warnings.Add("CONSIDER REGENERATING THE MODEL");
        }
        BpePreTokenizer preTokenizer = PreTokenizerFor(pre, file.Path);

        string[] tokens = file.GetStringArray(GgufTokenizerKeys.Tokens);
        int n = tokens.Length;
        var vocabulary = new BpeVocabulary(
            tokens,
            merges,
            TokenTypes: GgufTokenizerKeys.ReadTokenTypes(file, n),
            PreTokenizer: pre,
            BosId: GgufTokenizerKeys.ReadId(file, GgufTokenizerKeys.BosId, DefaultSpecialId, n),
            EosId: GgufTokenizerKeys.ReadId(file, GgufTokenizerKeys.EosId, DefaultSpecialId, n),
            AddBos: GgufTokenizerKeys.ReadBool(file, GgufTokenizerKeys.AddBos, preTokenizer.AddBosByDefault),
            AddEos: GgufTokenizerKeys.ReadBool(file, GgufTokenizerKeys.AddEos, false),
            AddSpacePrefix: GgufTokenizerKeys.ReadBool(file, GgufTokenizerKeys.AddSpacePrefix, false));
        SpecialTokenKeys keys = GgufTokenizerKeys.ReadSpecialTokenKeys(file, n, warnings);
        try
        {
            return new BpeTokenizer(vocabulary, file.Path, preTokenizer, keys, warnings);
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
        // Encoding.UTF8 turns a lone surrogate into U+FFFD, as LLamaSharp does when it hands text to llama.cpp.
        byte[] rented = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(text.Length));
        try
        {
            int length = Encoding.UTF8.GetBytes(text, rented);
            EncodeUtf8(rented.AsSpan(0, length), addBos, parseSpecial, output);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The bytes hold a four-byte form above U+10FFFF (see the remarks).</exception>
    public override void EncodeUtf8(ReadOnlySpan<byte> utf8, bool addBos, bool parseSpecial, List<int> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (addBos)
            AddBosTo(output);
        var workspace = new Workspace();
        try
        {
            foreach (TextFragment fragment in Partitioner.Partition(utf8, parseSpecial))
            {
                if (fragment.IsText)
                    EncodeText(utf8.Slice(fragment.Start, fragment.Length), ref workspace, output);
                else
                    output.Add(fragment.TokenId);
            }
        }
        finally
        {
            workspace.Dispose();
        }
    }

    private struct Symbol
    {
        public int Start;
        public int Length;   // in characters of the byte alphabet; 0 once merged into its left neighbour
        public int Previous;
        public int Next;
        public int Part;     // merge part of the symbol's text, -1 when no rule takes it
        public int Token;    // vocabulary id of the symbol's text, -1 when it is no token
    }

    // Buffers reused across the words of one call, and the ids of the words seen so far in it: a word always encodes to
    // the same ids, and text repeats its words, so each distinct word is merged once per call.
    private struct Workspace : IDisposable
    {
        private const int MaxCachedWords = 1 << 16;
        private const int MaxCachedLength = 64;

        public List<int> CodePoints;
        public List<int> Words;
        public List<int> Scratch;
        public char[] Word;
        public Symbol[] Symbols;
        public PriorityHeap<BpeBigram, BpeBigram> Queue;
        private readonly Dictionary<string, (int Start, int Count)> _cache;
        private readonly Dictionary<string, (int Start, int Count)>.AlternateLookup<ReadOnlySpan<char>> _cacheLookup;
        private readonly List<int> _cachedIds;

        public Workspace()
        {
            CodePoints = [];
            Words = [];
            Scratch = [];
            Word = ArrayPool<char>.Shared.Rent(256);
            Symbols = ArrayPool<Symbol>.Shared.Rent(256);
            Queue = new PriorityHeap<BpeBigram, BpeBigram>(256);
            _cache = new Dictionary<string, (int, int)>(StringComparer.Ordinal);
            _cacheLookup = _cache.GetAlternateLookup<ReadOnlySpan<char>>();
            _cachedIds = [];
        }

        public readonly bool TryEmitCached(ReadOnlySpan<char> word, List<int> output)
        {
            if (!_cacheLookup.TryGetValue(word, out var entry))
                return false;
            output.AddRange(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_cachedIds).Slice(entry.Start, entry.Count));
            return true;
        }

        /// <summary>Remembers that <paramref name="word"/> encoded to the ids <paramref name="output"/> got from <paramref name="start"/> on.</summary>
        public readonly void Remember(ReadOnlySpan<char> word, List<int> output, int start)
        {
            if (word.Length > MaxCachedLength || _cache.Count >= MaxCachedWords)
                return;
            var ids = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(output)[start..];
            _cache.Add(word.ToString(), (_cachedIds.Count, ids.Length));
            _cachedIds.AddRange(ids);
        }

        public void EnsureWord(int length)
        {
            if (Word.Length < length)
            {
                ArrayPool<char>.Shared.Return(Word);
                Word = ArrayPool<char>.Shared.Rent(length);
                ArrayPool<Symbol>.Shared.Return(Symbols);
                Symbols = ArrayPool<Symbol>.Shared.Rent(length);
            }
        }

        public void Dispose()
        {
            ArrayPool<char>.Shared.Return(Word);
            ArrayPool<Symbol>.Shared.Return(Symbols);
            Queue.Dispose();
        }
    }

    private void EncodeText(ReadOnlySpan<byte> utf8, ref Workspace workspace, List<int> output)
    {
        LlamaCppUtf8.Decode(utf8, workspace.CodePoints);
        ReadOnlySpan<int> codePoints = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(workspace.CodePoints);
        _preTokenizer.Split(codePoints, workspace.Words, workspace.Scratch);

        Span<byte> encoded = stackalloc byte[4];
        int position = 0;
        foreach (int length in workspace.Words)
        {
            workspace.EnsureWord(length * 8);
            int characters = 0;
            for (int i = position; i < position + length; i++)
            {
                int count = LlamaCppUtf8.Encode(codePoints[i], encoded);
                for (int b = 0; b < count; b++)
                    workspace.Word[characters++] = ByteLevelAlphabet.ToChar(encoded[b]);
            }
            position += length;
            ReadOnlySpan<char> word = workspace.Word.AsSpan(0, characters);
            if (workspace.TryEmitCached(word, output))
                continue;
            int start = output.Count;
            EncodeWord(word, ref workspace, output);
            workspace.Remember(word, output, start);
        }
    }

    // llama.cpp's llm_tokenizer_bpe_session on one word (already in the byte alphabet, one character per byte).
    private void EncodeWord(ReadOnlySpan<char> word, ref Workspace workspace, List<int> output)
    {
        if (_preTokenizer.IgnoreMerges && TextLookup.TryGetValue(word, out int whole))
        {
            output.Add(whole);
            return;
        }

        Symbol[] symbols = workspace.Symbols;
        for (int i = 0; i < word.Length; i++)
        {
            ByteLevelAlphabet.TryGetByte(word[i], out byte b);
            symbols[i] = new Symbol
            {
                Start = i, Length = 1, Previous = i - 1, Next = i + 1 == word.Length ? -1 : i + 1,
                Part = _bytePart[b], Token = _byteToken[b],
            };
        }

        ref PriorityHeap<BpeBigram, BpeBigram> queue = ref workspace.Queue;
        queue.Clear();
        for (int i = 1; i < word.Length; i++)
            TryAddPair(symbols, ref queue, i - 1, i);

        while (queue.TryDequeue(out BpeBigram pair))
        {
            ref Symbol left = ref symbols[pair.Left];
            ref Symbol right = ref symbols[pair.Right];
            // Stale entry: one side was merged away or grew since the pair was queued.
            if (left.Length == 0 || right.Length == 0 || left.Length + right.Length != pair.Length)
                continue;

            left.Length += right.Length;
            left.Part = _merges.MergedPart(pair.Rank);
            left.Token = _merges.MergedToken(pair.Rank);
            right.Length = 0;
            left.Next = right.Next;
            if (right.Next >= 0)
                symbols[right.Next].Previous = pair.Left;

            TryAddPair(symbols, ref queue, left.Previous, pair.Left);
            TryAddPair(symbols, ref queue, pair.Left, left.Next);
        }

        for (int i = 0; i != -1; i = symbols[i].Next)
        {
            if (symbols[i].Token >= 0)
            {
                output.Add(symbols[i].Token);
                continue;
            }
            // llama.cpp looks each UTF-8 byte of the symbol's text up as a one-byte token. Only characters below U+0080
            // are one byte; the others' bytes are not valid UTF-8 on their own and so are no token's text.
            foreach (char c in word.Slice(symbols[i].Start, symbols[i].Length))
            {
                if (c < 0x80 && _asciiToken[c] >= 0)
                    output.Add(_asciiToken[c]);
            }
        }
    }

    private void TryAddPair(Symbol[] symbols, ref PriorityHeap<BpeBigram, BpeBigram> queue, int left, int right)
    {
        if (left < 0 || right < 0)
            return;
        int rank = _merges.FindRank(symbols[left].Part, symbols[right].Part);
        if (rank >= 0)
            queue.Enqueue(new BpeBigram(rank, left, right, symbols[left].Length + symbols[right].Length));
    }

    // llama.cpp's llama_decode_text: each character of the byte alphabet back to its byte. A character outside the
    // alphabet becomes "[UNK_BYTE_0x" + its UTF-8 in hex + the whole token text + "]", exactly as llama.cpp writes it.
    private static byte[] RenderNormal(string text)
    {
        var bytes = new List<byte>(text.Length);
        Span<byte> utf8 = stackalloc byte[4];
        foreach (Rune rune in text.EnumerateRunes())
        {
            if (ByteLevelAlphabet.TryGetByte(rune.Value, out byte b))
            {
                bytes.Add(b);
                continue;
            }
            int count = rune.EncodeToUtf8(utf8);
            bytes.AddRange(Encoding.UTF8.GetBytes("[UNK_BYTE_0x"));
            foreach (byte u in utf8[..count])
                bytes.AddRange(Encoding.UTF8.GetBytes(u.ToString("x2")));
            bytes.AddRange(Encoding.UTF8.GetBytes(text));
            bytes.Add((byte)']');
        }
        return [.. bytes];
    }

    private static BpePreTokenizer PreTokenizerFor(string name, string source) =>
        BpePreTokenizer.ForName(name) ?? throw new NotSupportedException(
            $"{source}: {GgufTokenizerKeys.PreTokenizer} is \"{name}\", a pre-tokenizer LlamaGen does not implement; " +
            $"it implements {string.Join(", ", BpePreTokenizer.Names.Select(x => $"\"{x}\""))}.");

    private static BpeVocabulary Checked(BpeVocabulary vocabulary)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        if (vocabulary.Tokens is null)
            throw new ArgumentException("vocabulary: the token list is missing.", nameof(vocabulary));
        if (vocabulary.Merges is null)
            throw new ArgumentException("vocabulary: the merge list is missing.", nameof(vocabulary));
        return vocabulary;
    }
}
