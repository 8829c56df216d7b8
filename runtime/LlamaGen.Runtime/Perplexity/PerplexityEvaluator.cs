using System.Diagnostics;
using LlamaGen.Tokenization;
using LlamaGen.Models;

using LlamaGen.Sequences;
using LlamaGen.Threading;

namespace LlamaGen.Perplexity;

/// <summary>
/// Perplexity of a model on a text: exp of the mean negative log-likelihood of the tokens it predicts, defined as
/// llama.cpp's <c>llama-perplexity</c> defines it, so the same file gives the same number there.
/// </summary>
/// <remarks>
/// <para>The definition, step by step:</para>
/// <list type="number">
/// <item>The whole text is tokenized once, with BOS first when the tokenizer adds one (<see cref="PerplexityOptions.AddBos"/>).</item>
/// <item>Its tokens are cut into consecutive windows of N = <see cref="PerplexityOptions.ContextLength"/> tokens
/// (default: the model's context length, or the whole text when shorter). Tokens after the last whole window are
/// not evaluated.</item>
/// <item>Each window runs from position 0 with a fresh context. When BOS is added, the window's first token is
/// <em>replaced</em> by BOS (not shifted): that token is neither seen nor scored, exactly as in llama.cpp.</item>
/// <item>The logits at position j predict the window's token j + 1; with <see cref="PerplexityScoring.SecondHalf"/>
/// (the default) j runs over N/2 .. N-2, with <see cref="PerplexityScoring.All"/> over 0 .. N-2.</item>
/// <item>-ln p is a log-softmax computed in double; perplexity is exp of its mean over every scored token of every window.</item>
/// </list>
/// <para>The one difference from llama.cpp: it refuses texts of fewer than 2N tokens, we need only N (one window).</para>
/// </remarks>
public sealed class PerplexityEvaluator
{
    /// <param name="pool">Splits the large products over its threads (the caller owns it); null computes on the calling thread.</param>
    public PerplexityEvaluator(ILlamaModel model, Tokenizer tokenizer, WorkerPool? pool = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tokenizer);
        if (tokenizer.VocabSize != model.Shape.VocabSize)
            throw new ArgumentException(
                $"The tokenizer has {tokenizer.VocabSize} tokens but model '{model.Shape.Name}' has a vocabulary of {model.Shape.VocabSize}.",
                nameof(tokenizer));
        Model = model;
        Tokenizer = tokenizer;
        Pool = pool;
    }

    public WorkerPool? Pool { get; }

    public ILlamaModel Model { get; }

    public Tokenizer Tokenizer { get; }

    /// <summary>Tokenizes <paramref name="text"/> as given (no trimming) and evaluates it.</summary>
    /// <exception cref="ArgumentException">The text is too short for one window, or <see cref="PerplexityOptions.ContextLength"/>
    /// is out of range (<see cref="ArgumentException.ParamName"/> names the option).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (checked between tokens).</exception>
    public PerplexityResult Evaluate(string text, PerplexityOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        options ??= new PerplexityOptions();
        bool addBos = options.AddBos ?? Tokenizer.AddBos;
        return EvaluateCore(Tokenizer.Encode(text, addBos), addBos, options, cancellationToken);
    }

    /// <summary>
    /// Evaluates already tokenized text: <paramref name="tokens"/> is the whole text as <see cref="Evaluate(string, PerplexityOptions?, CancellationToken)"/>
    /// would tokenize it (BOS first when it is added); window starts are still replaced by BOS when it is added.
    /// </summary>
    public PerplexityResult Evaluate(ReadOnlySpan<int> tokens, PerplexityOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new PerplexityOptions();
        int vocabSize = Model.Shape.VocabSize;
        for (int i = 0; i < tokens.Length; i++)
        {
            if ((uint)tokens[i] >= (uint)vocabSize)
                throw new ArgumentOutOfRangeException(nameof(tokens), tokens[i],
                    $"Token {i} is id {tokens[i]}, outside model '{Model.Shape.Name}''s vocabulary of {vocabSize}.");
        }
        return EvaluateCore(tokens.ToArray(), options.AddBos ?? Tokenizer.AddBos, options, cancellationToken);
    }

    /// <summary>
    /// -ln softmax(<paramref name="logits"/>)[<paramref name="token"/>], in double: the max is subtracted before
    /// exponentiating and the sum of a whole vocabulary of exponentials is kept in double, so neither overflows nor
    /// loses the small terms that float accumulation would.
    /// </summary>
    public static double NegativeLogLikelihood(ReadOnlySpan<float> logits, int token)
    {
        if ((uint)token >= (uint)logits.Length)
            throw new ArgumentOutOfRangeException(nameof(token), token, $"Token id is outside the {logits.Length} logits.");
        double max = double.NegativeInfinity;
        foreach (float logit in logits)
            max = Math.Max(max, logit);
        double sum = 0;
        foreach (float logit in logits)
            sum += Math.Exp(logit - max);
        return Math.Log(sum) - (logits[token] - max);
    }

    /// <summary>Predictions a window of <paramref name="contextLength"/> tokens contributes under <paramref name="scoring"/>.</summary>
    public static int ScoredPerWindow(int contextLength, PerplexityScoring scoring) =>
        Math.Max(0, contextLength - 1 - FirstScoredPosition(contextLength, scoring));

    /// <summary>The first position whose logits are scored (they predict the token after it).</summary>
    public static int FirstScoredPosition(int contextLength, PerplexityScoring scoring) => scoring switch
    {
        PerplexityScoring.SecondHalf => contextLength / 2,
        PerplexityScoring.All => 0,
        _ => throw new ArgumentOutOfRangeException(nameof(scoring), scoring, "Unknown PerplexityScoring."),
    };

    private PerplexityResult EvaluateCore(int[] tokens, bool addBos, PerplexityOptions options, CancellationToken cancellationToken)
    {
        int modelContext = Model.Shape.ContextLength;
        int contextLength = options.ContextLength ?? Math.Min(modelContext, tokens.Length);
        int scoredPerWindow = ScoredPerWindow(contextLength, options.Scoring);
        if (contextLength > modelContext)
            throw new ArgumentOutOfRangeException(nameof(PerplexityOptions.ContextLength), contextLength,
                $"The window of {contextLength} tokens is longer than model '{Model.Shape.Name}''s context length of {modelContext}.");
        if (scoredPerWindow < 1)
        {
            int minimum = options.Scoring == PerplexityScoring.SecondHalf ? 3 : 2;
            if (options.ContextLength is null)
                throw new ArgumentException(
                    $"The text is {tokens.Length} tokens long; {options.Scoring} scoring needs a window of at least {minimum} tokens.", "text");
            throw new ArgumentOutOfRangeException(nameof(PerplexityOptions.ContextLength), contextLength,
                $"A window of {contextLength} tokens scores no token with {options.Scoring} scoring; use at least {minimum} tokens.");
        }
        if (tokens.Length < contextLength)
            throw new ArgumentException(
                $"The text is {tokens.Length} tokens long, shorter than one window of {contextLength} tokens.",
                options.ContextLength is null ? "text" : nameof(PerplexityOptions.ContextLength));

        int windows = tokens.Length / contextLength;
        int first = FirstScoredPosition(contextLength, options.Scoring);
        var window = new int[contextLength];
        int vocab = Model.Shape.VocabSize;
        using var decoder = new SequenceDecoder(Model, new SequenceOptions { ContextLength = contextLength }, Pool);
        // The logits of a chunk of scored positions, computed in one batched pass (each row's as it would be alone).
        int chunk = DecodeBatch.DefaultCapacity;
        var logits = new float[chunk * vocab];
        double sum = 0, sumOfSquares = 0;
        int scored = 0;

        long start = Stopwatch.GetTimestamp();
        for (int w = 0; w < windows; w++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            tokens.AsSpan(w * contextLength, contextLength).CopyTo(window);
            if (addBos)
                window[0] = Tokenizer.BosId;

            // Positions before the first scored one only fill the KV cache: batched passes, their logits unused.
            decoder.Sequence.Rewind(0);
            if (first > 0)
                decoder.ForwardPrompt(window.AsSpan(0, first), 0, logits);
            for (int position = first; position < contextLength - 1; position += chunk)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int count = Math.Min(chunk, contextLength - 1 - position);
                decoder.AppendAll(window.AsSpan(position, count), logits);
                for (int i = 0; i < count; i++)
                {
                    double nll = NegativeLogLikelihood(logits.AsSpan(i * vocab, vocab), window[position + i + 1]);
                    sum += nll;
                    sumOfSquares += nll * nll;
                    scored++;
                }
            }
        }
        TimeSpan elapsed = Stopwatch.GetElapsedTime(start);

        double mean = sum / scored;
        double perplexity = Math.Exp(mean);
        // llama.cpp's estimate: population variance of the NLLs, divided by count - 1, scaled to the perplexity.
        double variance = sumOfSquares / scored - mean * mean;
        double standardError = scored > 1 && variance > 0 ? Math.Sqrt(variance / (scored - 1)) * perplexity : 0;

        return new PerplexityResult(perplexity, mean, standardError, scored, windows, contextLength, options.Scoring,
            tokens.Length, windows * (contextLength - 1), elapsed);
    }
}
