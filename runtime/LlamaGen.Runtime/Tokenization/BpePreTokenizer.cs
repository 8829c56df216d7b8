namespace LlamaGen.Tokenization;

/// <summary>
/// What llama.cpp does with a BPE vocabulary's <c>tokenizer.ggml.pre</c>: the chain of splitting steps (its
/// <c>llm_tokenizer_bpe</c> regex list, with the GPT-2 and Llama 3 regexes replaced by llama.cpp's hand-written scanners
/// exactly where llama.cpp replaces them) and the flags the name sets in <c>llama_vocab::impl::load</c>.
/// </summary>
internal sealed class BpePreTokenizer
{
    /// <summary>The name llama.cpp falls back to when <c>tokenizer.ggml.pre</c> is absent.</summary>
    public const string DefaultName = "default";

    private static readonly IWordSplitter NewLine = new PatternWordSplitter(new SplitPattern("[\r\n]"));
    private static readonly IWordSplitter CjkRuns = new PatternWordSplitter(new SplitPattern("[\u4E00-\u9FA5\u0800-\u4E00\uAC00-\uD7FF]+"));

    private static readonly IWordSplitter[] Gpt2Steps = [Gpt2WordSplitter.Instance];
    private static readonly IWordSplitter[] Llama3Steps = [Llama3WordSplitter.Instance];
    private static readonly IWordSplitter[] StarCoderSteps = [Pattern(@"\p{N}"), Gpt2WordSplitter.Instance];
    private static readonly IWordSplitter[] FalconSteps =
        [Pattern(@"[\p{P}\$\+<=>\^~\|`]+"), Gpt2WordSplitter.Instance, Pattern("[0-9][0-9][0-9]")];
    private static readonly IWordSplitter[] DefaultSteps =
        [Pattern(@"[\p{P}\$\+<=>\^~\|]+"), Gpt2WordSplitter.Instance, Pattern(@"\p{N}+"), Pattern("[0-9][0-9][0-9]")];
    private static readonly IWordSplitter[] DeepSeekCoderSteps =
        [NewLine, Pattern(@"\s?\p{L}+"), Pattern(@"\s?\p{P}+"), CjkRuns, Pattern(@"\p{N}")];
    private static readonly IWordSplitter[] DeepSeekLlmSteps =
    [
        NewLine,
        // Letters of the Latin, Greek, Cyrillic, Armenian, Georgian, Cherokee, Glagolitic, Coptic, Deseret, Osage,
        // Old Hungarian, Warang Citi and Adlam blocks (deepseek-llm's tokenizer.json), as one explicit class.
        Pattern("\\s?[A-Za-z\u00B5\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u01BA\u01BC-\u01BF\u01C4-\u0293\u0295-\u02AF\u0370-\u0373\u0376\u0377" +
            "\u037B-\u037D\u037F\u0386\u0388-\u038A\u038C\u038E-\u03A1\u03A3-\u03F5\u03F7-\u0481\u048A-\u052F\u0531-\u0556\u10A0-\u10C5" +
            "\u13A0-\u13F5\u13F8-\u13FD\u1C90-\u1CBA\u1CBD-\u1CBF\u1D00-\u1D2B\u1D6B-\u1D77\u1D79-\u1D9A\u1E00-\u1F15\u1F18-\u1F1D" +
            "\u1F20-\u1F45\u1F48-\u1F4D\u1F50-\u1F57\u1F59\u1F5B\u1F5D\u1F5F-\u1F7D\u1F80-\u1FB4\u1FB6-\u1FBC\u1FBE\u1FC2-\u1FC4" +
            "\u1FC6-\u1FCC\u1FD0-\u1FD3\u1FD6-\u1FDB\u1FE0-\u1FEC\u1FF2-\u1FF4\u1FF6-\u1FFC\u2102\u2107\u210A-\u2113\u2115\u2119-\u211D" +
            "\u2124\u2126\u2128\u212A-\u212D\u212F-\u2134\u2139\u213C-\u213F\u2145-\u2149\u214E\u2183\u2184\u2C00-\u2C7B\u2C7E-\u2CE4" +
            "\u2CEB-\u2CEE\u2CF2\u2CF3\uA640-\uA66D\uA680-\uA69B\uA722-\uA76F\uA771-\uA787\uA78B-\uA78E\uAB70-\uABBF\uFB00-\uFB06" +
            "\uFB13-\uFB17\uFF21-\uFF3A\uFF41-\uFF5A\U00010400-\U0001044F\U000104B0-\U000104D3\U000104D8-\U000104FB" +
            "\U00010C80-\U00010CB2\U00010CC0-\U00010CF2\U000118A0-\U000118DF\U0001E900-\U0001E943]+"),
        // ASCII and full-width punctuation, curly quotes, and the ideographic space, comma and full stop.
        Pattern("\\s?[!-/:-~\uFF01-\uFF0F\uFF1A-\uFF5E\u2018-\u201F\u3000-\u3002]+"),
        Pattern(@"\s+$"),
        CjkRuns,
        Pattern(@"\p{N}+"),
    ];

    private BpePreTokenizer(string name, IWordSplitter[] steps, bool ignoreMerges = false, bool addBos = false, bool cleanSpaces = true)
    {
        Name = name;
        Steps = steps;
        IgnoreMerges = ignoreMerges;
        AddBosByDefault = addBos;
        CleanSpaces = cleanSpaces;
    }

    /// <summary>The <c>tokenizer.ggml.pre</c> value this preset was chosen by.</summary>
    public string Name { get; }

    public IReadOnlyList<IWordSplitter> Steps { get; }

    /// <summary>A word that is itself a token is emitted whole, without merging (llama.cpp's <c>ignore_merges</c>).</summary>
    public bool IgnoreMerges { get; }

    /// <summary>llama.cpp's <c>add_bos</c> when the file has no <c>tokenizer.ggml.add_bos_token</c>.</summary>
    public bool AddBosByDefault { get; }

    /// <summary>Detokenized text gets llama.cpp's <c>clean_up_tokenization_spaces</c> pass (<c>clean_spaces</c>).</summary>
    public bool CleanSpaces { get; }

    /// <summary>The preset llama.cpp picks for <paramref name="name"/>; null when LlamaGen does not implement it (llama.cpp
    /// either does not know the name or treats it as a tokenizer we do not support).</summary>
    public static BpePreTokenizer? ForName(string name) => name switch
    {
        DefaultName => new(name, DefaultSteps),
        // Llama 3 and the vocabularies llama.cpp tokenizes with Llama 3's rules.
        "llama3" or "llama-v3" or "llama-bpe" or "falcon3" or "falcon-h1" or "pixtral" or "midm-2.0" or "lfm2" or "jina-v5-nano" =>
            new(name, Llama3Steps, ignoreMerges: true, addBos: true),
        // Llama 3's regex without ignore_merges.
        "dbrx" or "smaug-bpe" => new(name, Llama3Steps),
        "gpt-2" or "phi-2" or "jina-es" or "jina-de" or "gigachat" or "a.x-4.0" or "mellum" or "mpt" or "olmo" or "jais" or "exaone4" =>
            new(name, Gpt2Steps),
        "trillion" or "granite-docling" => new(name, Gpt2Steps, cleanSpaces: false),
        "starcoder" or "refact" or "codeshell" or "exaone" or "minerva-7b" => new(name, StarCoderSteps),
        "smollm" or "command-r" => new(name, StarCoderSteps, cleanSpaces: false),
        "falcon" => new(name, FalconSteps),
        "deepseek-llm" => new(name, DeepSeekLlmSteps, cleanSpaces: false),
        "deepseek-coder" => new(name, DeepSeekCoderSteps, cleanSpaces: false),
        _ => null,
    };

    /// <summary>The names <see cref="ForName"/> accepts.</summary>
    public static IReadOnlyList<string> Names { get; } =
    [
        DefaultName, "llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2", "jina-v5-nano",
        "dbrx", "smaug-bpe", "gpt-2", "phi-2", "jina-es", "jina-de", "gigachat", "a.x-4.0", "mellum", "mpt", "olmo", "jais", "exaone4",
        "trillion", "granite-docling", "starcoder", "refact", "codeshell", "exaone", "minerva-7b", "smollm", "command-r", "falcon",
        "deepseek-llm", "deepseek-coder",
    ];

    private static PatternWordSplitter Pattern(string pattern) => new(new SplitPattern(pattern));

    /// <summary>Splits <paramref name="codePoints"/> into words, as code point counts in order.</summary>
    public void Split(ReadOnlySpan<int> codePoints, List<int> words, List<int> scratch)
    {
        words.Clear();
        if (codePoints.IsEmpty)
            return;
        words.Add(codePoints.Length);
        foreach (IWordSplitter step in Steps)
        {
            scratch.Clear();
            step.Split(codePoints, words, scratch);
            words.Clear();
            words.AddRange(scratch);
        }
    }
}
