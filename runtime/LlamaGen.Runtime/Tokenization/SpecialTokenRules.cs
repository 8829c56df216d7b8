namespace LlamaGen.Tokenization;

/// <summary>
/// What llama.cpp's vocabulary loader (<c>llama_vocab::impl::load</c>) decides about special tokens beyond their stored
/// types: tokens it recognizes by text as end-of-turn, end-of-message or infill (fill-in-the-middle) tokens become
/// control tokens; the end-of-generation set is EOS, the end-of-turn and end-of-message tokens, the infill padding,
/// repository and file-separator tokens, and every token whose text is on its list; a few models get strip flags.
/// The same rules serve SentencePiece and BPE vocabularies.
/// </summary>
/// <remarks>
/// llama.cpp scans its text-to-id hash map, so when a vocabulary holds two candidates for one role (say both
/// <c>&lt;PAD&gt;</c> and <c>[PAD]</c>), which one it takes depends on the hash order of its C++ library; we take the
/// lowest id. Vocabularies with one candidate per role, which is all of the real ones we know, come out the same.
/// </remarks>
internal static class SpecialTokenRules
{
    private static readonly string[] EndOfTurnTexts =
    [
        "<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|end_of_text|>", "<EOT>", "_<EOT>", "[EOT]",
        "<\uFF5Cend\u2581of\u2581sentence\uFF5C>", "<end_of_utterance>",
    ];

    private static readonly string[] EndOfMessageTexts = ["<|eom_id|>"];

    private static readonly string[] FimPrefixTexts =
        ["<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>", "<\uFF5Cfim\u2581begin\uFF5C>", "<PRE>", "\u2581<PRE>", "<|code_prefix|>", "<|prefix|>"];

    private static readonly string[] FimSuffixTexts =
        ["<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>", "<\uFF5Cfim\u2581hole\uFF5C>", "<SUF>", "\u2581<SUF>", "<|code_suffix|>", "<|suffix|>"];

    private static readonly string[] FimMiddleTexts =
        ["<|fim_middle|>", "<fim-middle>", "<fim_middle>", "<\uFF5Cfim\u2581end\uFF5C>", "<MID>", "\u2581<MID>", "<|code_middle|>", "<|middle|>"];

    private static readonly string[] FimPaddingTexts = ["<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]"];

    private static readonly string[] FimRepositoryTexts = ["<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>"];

    private static readonly string[] FimSeparatorTexts = ["<|file_sep|>"];

    private static readonly HashSet<string> EndOfGenerationTexts = new(StringComparer.Ordinal)
    {
        "<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>", "<|flush|>", "<|calls|>", "<end_of_turn>", "<|endoftext|>",
        "</s>", "<|eom_id|>", "<EOT>", "_<EOT>", "[EOT]", "[EOS]", "<|end_of_text|>", "<end_of_utterance>", "<eos>", "<turn|>",
        "<|tool_response>", "<\uFF5Cend\u2581of\u2581sentence\uFF5C>", "[e~[",
    };

    // gpt-oss's chat markers: llama.cpp always renders them, as user-defined tokens.
    private static readonly string[] AlwaysRenderedTexts = ["<|channel|>", "<|message|>", "<|start|>", "<|constrain|>"];

    /// <summary>The attributes llama.cpp ends up with for every token, and its end-of-generation ids (ascending).</summary>
    /// <param name="texts">Token texts by id (empty ones already replaced by their placeholder).</param>
    /// <param name="types">Token types by id as stored; null means every token is normal, as in llama.cpp.</param>
    /// <param name="textToId">Token text to id.</param>
    /// <param name="eosId">The EOS id, or -1.</param>
    /// <param name="keys">Ids the file names for the other special tokens, and the names per-model rules look at.</param>
    /// <param name="warnings">Receives llama.cpp's load-time warnings about special tokens.</param>
    public static (TokenAttributes[] Attributes, int[] EndOfGeneration) Apply(
        string[] texts, TokenType[]? types, IReadOnlyDictionary<string, int> textToId, int eosId, SpecialTokenKeys keys, List<string> warnings)
    {
        var attributes = new TokenAttributes[texts.Length];
        for (int id = 0; id < texts.Length; id++)
            attributes[id] = types is null ? TokenAttributes.Normal : FromType(types[id]);

        int endOfTurn = keys.EndOfTurnId >= 0 ? keys.EndOfTurnId : Detect(EndOfTurnTexts, textToId, attributes, texts, warnings);
        int endOfMessage = keys.EndOfMessageId >= 0 ? keys.EndOfMessageId : Detect(EndOfMessageTexts, textToId, attributes, texts, warnings);
        if (keys.FimPrefixId < 0) Detect(FimPrefixTexts, textToId, attributes, texts, warnings);
        if (keys.FimSuffixId < 0) Detect(FimSuffixTexts, textToId, attributes, texts, warnings);
        if (keys.FimMiddleId < 0) Detect(FimMiddleTexts, textToId, attributes, texts, warnings);
        int fimPadding = keys.FimPaddingId >= 0 ? keys.FimPaddingId : Detect(FimPaddingTexts, textToId, attributes, texts, warnings);
        int fimRepository = keys.FimRepositoryId >= 0 ? keys.FimRepositoryId : Detect(FimRepositoryTexts, textToId, attributes, texts, warnings);
        int fimSeparator = keys.FimSeparatorId >= 0 ? keys.FimSeparatorId : Detect(FimSeparatorTexts, textToId, attributes, texts, warnings);

        // Control tokens named "unused" are marked so (this changes nothing we do with them, but keeps the attributes
        // llama.cpp reports).
        for (int id = 0; id < texts.Length; id++)
        {
            if ((attributes[id] & TokenAttributes.Control) != 0 && texts[id].Contains("unused", StringComparison.Ordinal))
                attributes[id] |= TokenAttributes.Unused;
        }

        var endOfGeneration = new SortedSet<int>();
        foreach (int id in (ReadOnlySpan<int>)[fimPadding, fimRepository, fimSeparator])
        {
            if (id >= 0)
                endOfGeneration.Add(id);
        }
        for (int id = 0; id < texts.Length; id++)
        {
            if (EndOfGenerationTexts.Contains(texts[id]))
            {
                endOfGeneration.Add(id);
                MarkControl(id, attributes, texts, warnings);
            }
        }
        foreach (string text in AlwaysRenderedTexts)
        {
            if (textToId.TryGetValue(text, out int id))
                attributes[id] = TokenAttributes.UserDefined;
        }
        AddChecked(eosId, "special_eos_id", endOfGeneration, warnings);
        AddChecked(endOfTurn, "special_eot_id", endOfGeneration, warnings);
        AddChecked(endOfMessage, "special_eom_id", endOfGeneration, warnings);

        // Harmony-style vocabularies end a reply with <|return|> or <|call|>; there <|end|> only closes a message.
        int end = FindIn(endOfGeneration, texts, "<|end|>");
        bool hasCall = FindIn(endOfGeneration, texts, "<|call|>") >= 0 || FindIn(endOfGeneration, texts, "<|calls|>") >= 0;
        if (end >= 0 && hasCall && (FindIn(endOfGeneration, texts, "<|return|>") >= 0 || FindIn(endOfGeneration, texts, "<|flush|>") >= 0))
        {
            endOfGeneration.Remove(end);
            attributes[end] = TokenAttributes.UserDefined;
            warnings.Add("special_eog_ids contains both '<|return|>' and '<|call|>', or '<|calls|>' and '<|flush|>' tokens, removing '<|end|>' token from EOG list");
        }
        // Gemma 4 ends tool responses with <|tool_response>; its </s> is ordinary text.
        int closingS = FindIn(endOfGeneration, texts, "</s>");
        if (closingS >= 0 && FindIn(endOfGeneration, texts, "<|tool_response>") >= 0)
        {
            endOfGeneration.Remove(closingS);
            attributes[closingS] = TokenAttributes.Normal;
            warnings.Add("special_eog_ids contains '<|tool_response>', removing '</s>' token from EOG list");
        }

        ApplyModelRules(attributes, textToId, keys);
        return (attributes, [.. endOfGeneration]);
    }

    /// <summary>The special tokens as llama.cpp partitions input text by them: control, user-defined and unknown tokens,
    /// longest (in UTF-8 bytes) first; ties go to the lower id (llama.cpp's unstable sort leaves them in no fixed order).</summary>
    public static int[] PartitionOrder(string[] texts, TokenAttributes[] attributes) =>
        Enumerable.Range(0, texts.Length)
            .Where(id => (attributes[id] & (TokenAttributes.Control | TokenAttributes.UserDefined | TokenAttributes.Unknown)) != 0)
            .OrderByDescending(id => System.Text.Encoding.UTF8.GetByteCount(texts[id]))
            .ThenBy(id => id)
            .ToArray();

    private static TokenAttributes FromType(TokenType type) => type switch
    {
        TokenType.Unknown => TokenAttributes.Unknown,
        TokenType.Unused => TokenAttributes.Unused,
        TokenType.Normal => TokenAttributes.Normal,
        TokenType.Control => TokenAttributes.Control,
        TokenType.UserDefined => TokenAttributes.UserDefined,
        TokenType.Byte => TokenAttributes.Byte,
        _ => TokenAttributes.Undefined,
    };

    // The first token (lowest id) whose text is one of the candidates becomes a control token; -1 when none is there.
    private static int Detect(string[] candidates, IReadOnlyDictionary<string, int> textToId, TokenAttributes[] attributes, string[] texts, List<string> warnings)
    {
        int found = -1;
        foreach (string text in candidates)
        {
            if (textToId.TryGetValue(text, out int id) && (found < 0 || id < found))
                found = id;
        }
        if (found >= 0)
            MarkControl(found, attributes, texts, warnings);
        return found;
    }

    private static void MarkControl(int id, TokenAttributes[] attributes, string[] texts, List<string> warnings)
    {
        if ((attributes[id] & TokenAttributes.Control) != 0)
            return;
        warnings.Add($"control-looking token: {id,6} '{texts[id]}' was not control-type; this is probably a bug in the model. its type will be overridden");
        attributes[id] |= TokenAttributes.Control;
    }

    private static void AddChecked(int id, string name, SortedSet<int> endOfGeneration, List<string> warnings)
    {
        if (id >= 0 && endOfGeneration.Add(id))
            warnings.Add($"{name} is not in special_eog_ids - the tokenizer config may be incorrect");
    }

    private static int FindIn(SortedSet<int> ids, string[] texts, string text)
    {
        foreach (int id in ids)
        {
            if ((uint)id < (uint)texts.Length && texts[id] == text)
                return id;
        }
        return -1;
    }

    // llama.cpp's per-model attributes, chosen by tokenizer, model and architecture name.
    private static void ApplyModelRules(TokenAttributes[] attributes, IReadOnlyDictionary<string, int> textToId, SpecialTokenKeys keys)
    {
        string pre = keys.PreTokenizerName ?? "";
        string model = (keys.ModelName ?? "").ToLowerInvariant();
        string architecture = keys.Architecture ?? "";
        if (pre.Contains("jina-v2-de") || pre.Contains("jina-v2-es") || pre.Contains("jina-v2-code")
            || architecture.Contains("nomic-bert-moe") || architecture.Contains("jina-bert-v3"))
        {
            if (textToId.TryGetValue("<mask>", out int mask))
                attributes[mask] |= TokenAttributes.LeftStrip;
        }
        else if (model.Contains("phi-3") || model.Contains("phi3"))
        {
            // Phi-3 drops the white space after its special tokens, except after <unk>, <s> and <|endoftext|>.
            for (int id = 0; id < attributes.Length; id++)
            {
                if ((attributes[id] & (TokenAttributes.Control | TokenAttributes.UserDefined | TokenAttributes.Unknown)) != 0)
                    attributes[id] |= TokenAttributes.RightStrip;
            }
            if (textToId.TryGetValue("</s>", out int closingS))
                attributes[closingS] |= TokenAttributes.RightStrip;
            foreach (string text in (ReadOnlySpan<string>)["<unk>", "<s>", "<|endoftext|>"])
            {
                if (textToId.TryGetValue(text, out int id))
                    attributes[id] &= ~TokenAttributes.RightStrip;
            }
        }
        else if (model.Contains("modern-bert"))
        {
            if (textToId.TryGetValue("[MASK]", out int mask))
                attributes[mask] |= TokenAttributes.LeftStrip;
        }
    }
}
