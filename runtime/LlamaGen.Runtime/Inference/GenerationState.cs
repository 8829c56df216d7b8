using System.Runtime.InteropServices;
using LlamaGen.Sampling;
using LlamaGen.Tokenization;

namespace LlamaGen.Inference;

/// <summary>
/// One generation after its prompt: samples each next token from the logits, turns the tokens into text as they come
/// (UTF-8 characters never split, text that could begin a stop string held back) and decides when to stop: an
/// end-of-generation token of the vocabulary (EOS, <c>&lt;|eot_id|&gt;</c>, <c>&lt;|im_end|&gt;</c>... as llama.cpp builds the
/// set) or BOS, a stop string, the token limit, or the end of the context. Shared by <see cref="TextGenerator"/> (one
/// sequence) and <see cref="InferenceEngine"/> (many in one batch), so both stop alike.
/// </summary>
public sealed class GenerationState
{
    private readonly Tokenizer tokenizer;
    private readonly GenerationOptions options;
    private readonly int promptLength;
    private readonly int contextLength;
    private readonly List<int> history;
    private readonly List<int> generated = [];
    private readonly StreamingDecoder decoder;
    private readonly StopStringMatcher stops;

    /// <param name="contextLength">Positions the sequence holds: a token sampled for the position after the last ends the run.</param>
    public GenerationState(Tokenizer tokenizer, IReadOnlyList<int> promptTokens, GenerationOptions options, int contextLength)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(promptTokens);
        ArgumentNullException.ThrowIfNull(options);
        if (promptTokens.Count == 0) throw new ArgumentException("The prompt has no tokens.", nameof(promptTokens));
        this.tokenizer = tokenizer;
        this.options = options;
        this.contextLength = contextLength;
        promptLength = promptTokens.Count;
        Sampler = new Sampler(options.Sampling, tokenizer.VocabSize);
        // Everything the repetition penalties may look at: the prompt, then the generated tokens.
        history = new List<int>(promptTokens.Count + Math.Min(Math.Min(options.MaxNewTokens, contextLength), 1 << 16));
        history.AddRange(promptTokens);
        decoder = new StreamingDecoder(tokenizer);
        // Prime the decoder with the prompt so the first generated piece is spaced as a continuation. A lone BOS is not
        // pushed: llama2.c drops the leading space of the first token after BOS, and so does the decoder for the first
        // token it sees.
        if (promptTokens.Count > 1 || promptTokens[0] != tokenizer.BosId)
        {
            foreach (int id in promptTokens) decoder.Push(id);
        }
        stops = new StopStringMatcher(options.StopStrings);
    }

    public Sampler Sampler { get; }

    /// <summary>The tokens sampled so far, without a final end-of-generation token.</summary>
    public IReadOnlyList<int> Generated => generated;

    /// <summary>Why the generation ended; null while it goes on.</summary>
    public StopReason? StopReason { get; private set; }

    /// <summary>Ends a generation that has not produced anything (a limit of 0 tokens, or cancellation before the first).</summary>
    public void Finish(StopReason reason) => StopReason ??= reason;

    /// <summary>
    /// Samples the token that follows <paramref name="logits"/> (the logits after the last token fed) and returns it with
    /// the text that became final. When <see cref="StopReason"/> is still null afterwards, feed the token and call again
    /// with the logits after it; otherwise the generation is over (an end-of-generation token is never to be fed).
    /// </summary>
    public GeneratedToken Next(ReadOnlySpan<float> logits)
    {
        if (StopReason is not null) throw new InvalidOperationException($"The generation has ended ({StopReason}).");
        int position = promptLength + generated.Count;
        int id = Sampler.Sample(logits, CollectionsMarshal.AsSpan(history));

        // Any end-of-generation token ends the run, and so does BOS, as in llama2.c. It is not fed and its text is never shown.
        if (tokenizer.IsEndOfGeneration(id) || id == tokenizer.BosId)
        {
            StopReason = Inference.StopReason.EndOfSequence;
            return new GeneratedToken(id, position, stops.Push(decoder.Flush(), out _) + stops.Flush(), IsEndOfSequence: true);
        }

        generated.Add(id);
        history.Add(id);
        string text = stops.Push(decoder.Push(id), out bool stopString);
        StopReason? reason =
            stopString ? Inference.StopReason.StopString :
            generated.Count == options.MaxNewTokens ? Inference.StopReason.MaxTokens :
            // The token goes at the context's end: it can be returned, but not fed.
            position >= contextLength ? Inference.StopReason.ContextFull :
            null;
        if (reason is not null)
        {
            if (!stopString)
            {
                string tail = stops.Push(decoder.Flush(), out stopString);
                text += stopString ? tail : tail + stops.Flush();
                if (stopString) reason = Inference.StopReason.StopString;
            }
            StopReason = reason;
        }
        return new GeneratedToken(id, position, text);
    }
}
