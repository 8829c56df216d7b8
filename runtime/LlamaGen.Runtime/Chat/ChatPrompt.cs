using LlamaGen.Gguf;
using LlamaGen.Tokenization;

namespace LlamaGen.Chat;

/// <summary>
/// Turns a conversation into a model's prompt: with the model's chat template when it has one (or one given instead),
/// rendered with the variables Hugging Face's <c>apply_chat_template</c> passes, otherwise in Meta's Llama 2-Chat format.
/// <see cref="Tokenize"/> makes the ids with special tokens parsed and exactly one BOS.
/// </summary>
public sealed class ChatPrompt
{
    /// <param name="template">The Jinja template text, or null for the Llama 2-Chat format.</param>
    /// <param name="bosToken">The BOS token's text, given to the template as <c>bos_token</c>.</param>
    /// <param name="eosToken">The EOS token's text, given to the template as <c>eos_token</c>.</param>
    /// <param name="limits">Limits for rendering the template.</param>
    /// <param name="otherSpecialTokens">More of the tokenizer's special tokens by template name (<c>unk_token</c>,
    /// <c>pad_token</c>...), which Hugging Face passes to templates as well.</param>
    /// <exception cref="ChatTemplateException">The template does not parse.</exception>
    public ChatPrompt(string? template, string bosToken = "<s>", string eosToken = "</s>", ChatTemplateLimits? limits = null,
        IReadOnlyDictionary<string, string>? otherSpecialTokens = null)
    {
        ArgumentNullException.ThrowIfNull(bosToken);
        ArgumentNullException.ThrowIfNull(eosToken);
        Template = template is null ? null : ChatTemplate.Parse(template, limits);
        BosToken = bosToken;
        EosToken = eosToken;
        OtherSpecialTokens = otherSpecialTokens ?? new Dictionary<string, string>();
    }

    /// <summary>The template in use, or null when prompts use the Llama 2-Chat format.</summary>
    public ChatTemplate? Template { get; }

    public string BosToken { get; }

    public string EosToken { get; }

    /// <summary>The other special tokens given to the template (<c>unk_token</c>, <c>pad_token</c>...).</summary>
    public IReadOnlyDictionary<string, string> OtherSpecialTokens { get; }

    /// <summary>
    /// A prompt builder for a GGUF model: its <c>tokenizer.chat_template</c>, unless <paramref name="templateOverride"/>
    /// gives another (the <c>--template FILE</c> option), with the vocabulary's BOS and EOS texts.
    /// </summary>
    public static ChatPrompt FromGguf(GgufFile file, Tokenizer tokenizer, string? templateOverride = null, ChatTemplateLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(tokenizer);
        string? template = templateOverride;
        if (template is null && file.TryGetString("tokenizer.chat_template", out string stored) && !string.IsNullOrWhiteSpace(stored))
            template = stored;
        string bos = tokenizer.BosId >= 0 ? tokenizer.GetTokenText(tokenizer.BosId) : "";
        string eos = tokenizer.EosId >= 0 ? tokenizer.GetTokenText(tokenizer.EosId) : "";
        var others = new Dictionary<string, string>();
        if (tokenizer.UnknownId >= 0)
            others["unk_token"] = tokenizer.GetTokenText(tokenizer.UnknownId);
        if (tokenizer.PaddingId >= 0)
            others["pad_token"] = tokenizer.GetTokenText(tokenizer.PaddingId);
        return new ChatPrompt(template, bos, eos, limits, others);
    }

    /// <summary>
    /// The variables the template is rendered with, as <c>apply_chat_template</c> passes them: <c>messages</c>,
    /// <c>tools</c> and <c>documents</c> (None when not given), <c>add_generation_prompt</c>, <c>bos_token</c>,
    /// <c>eos_token</c> and the other special tokens, then the extra variables.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, object?>> Variables(IEnumerable<object?> messages, ChatPromptOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(messages);
        options ??= new ChatPromptOptions();
        var variables = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["messages"] = messages.ToList(),
            ["tools"] = options.Tools,
            ["documents"] = options.Documents,
            ["add_generation_prompt"] = options.AddGenerationPrompt,
            ["bos_token"] = BosToken,
            ["eos_token"] = EosToken,
        };
        foreach (var token in OtherSpecialTokens)
            variables[token.Key] = token.Value;
        if (options.ExtraVariables is not null)
            foreach (var extra in options.ExtraVariables)
                variables[extra.Key] = extra.Value;
        return [.. variables];
    }

    /// <summary>The prompt text. Messages are <see cref="ChatMessage"/>s, JSON objects or dictionaries.</summary>
    /// <exception cref="ChatTemplateException">The template raised (for example a role it does not allow) or failed.</exception>
    public string Render(IEnumerable<object?> messages, ChatPromptOptions? options = null)
    {
        if (Template is null)
            return Llama2ChatFormat.Render(AsChatMessages(messages), BosToken, EosToken);
        return Template.Render(Variables(messages, options), options?.Clock);
    }

    /// <summary>
    /// The prompt's token ids. With a template: its text tokenized with special tokens parsed, BOS added only when the
    /// model wants one and the text does not already begin with it. Without: Meta's per-turn encoding.
    /// </summary>
    public int[] Tokenize(Tokenizer tokenizer, IEnumerable<object?> messages, ChatPromptOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        if (Template is null)
            return Llama2ChatFormat.Encode(tokenizer, AsChatMessages(messages));
        string text = Render(messages, options);
        return TokenizeRendered(tokenizer, text);
    }

    /// <summary>Tokenizes rendered prompt text: special tokens parsed, and one BOS (none added when the text starts with the BOS text).</summary>
    public static int[] TokenizeRendered(Tokenizer tokenizer, string text)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(text);
        bool startsWithBos = tokenizer.BosId >= 0 && text.StartsWith(tokenizer.GetTokenText(tokenizer.BosId), StringComparison.Ordinal);
        return tokenizer.Encode(text, addBos: tokenizer.AddBos && !startsWithBos, parseSpecial: true);
    }

    private static List<ChatMessage> AsChatMessages(IEnumerable<object?> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var result = new List<ChatMessage>();
        foreach (object? message in messages)
        {
            result.Add(message switch
            {
                ChatMessage chat => chat,
                _ => FromData(Values.TemplateValueConverter.Convert(message)),
            });
        }
        return result;
    }

    private static ChatMessage FromData(object? value)
    {
        if (value is not Values.PyDict dict)
            throw new ArgumentException("a message must be a ChatMessage, a JSON object or a dictionary with \"role\" and \"content\"");
        dict.TryGetValue("role", out object? role);
        dict.TryGetValue("content", out object? content);
        return new ChatMessage(role as string ?? throw new ArgumentException("a message has no string \"role\""), content as string);
    }
}
