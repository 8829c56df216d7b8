using System.Collections;
using System.Diagnostics;
using System.Runtime.InteropServices;
using LlamaGen.Sampling;
using LlamaGen.Sequences;
using LlamaGen.Tokenization;
using LlamaGen.Models;

namespace LlamaGen.Inference;

/// <summary>
/// One generation, produced as it is enumerated: each <see cref="GeneratedToken"/> is yielded as soon as it is
/// sampled, so a consumer can stream the text. Enumerate once. <see cref="StopReason"/> and the final
/// <see cref="Statistics"/> are set when the enumeration ends; both stay as they were if the consumer stops early.
/// </summary>
public sealed class GenerationRun : IEnumerable<GeneratedToken>
{
    private readonly TextGenerator generator;
    private readonly int[] promptTokens;
    private readonly GenerationOptions options;
    private readonly CancellationToken cancellationToken;
    private readonly Sampler sampler;
    private readonly List<int> generated = [];
    private bool started;
    private long promptTicks, generationTicks;

    internal GenerationRun(TextGenerator generator, int[] promptTokens, GenerationOptions options, CancellationToken cancellationToken)
    {
        this.generator = generator;
        this.promptTokens = promptTokens;
        this.options = options;
        this.cancellationToken = cancellationToken;
        sampler = new Sampler(options.Sampling, generator.Model.Shape.VocabSize);
    }

    public IReadOnlyList<int> PromptTokens => promptTokens;

    /// <summary>The tokens sampled so far, without the final end-of-generation token (or BOS) that ended the run.</summary>
    public IReadOnlyList<int> GeneratedTokens => generated;

    /// <summary>Why the run ended; null while it runs or if the consumer stopped enumerating.</summary>
    public StopReason? StopReason { get; private set; }

    /// <summary>The sampler's seed (the random one picked when <see cref="SamplerOptions.Seed"/> is null).</summary>
    public ulong Seed => sampler.Seed;

    public GenerationStatistics Statistics => new(
        promptTokens.Length, generated.Count,
        Stopwatch.GetElapsedTime(0, promptTicks), Stopwatch.GetElapsedTime(0, generationTicks))
    {
        CachedPromptTokens = cachedPromptTokens,
    };

    private int cachedPromptTokens;

    public IEnumerator<GeneratedToken> GetEnumerator()
    {
        if (started)
            throw new InvalidOperationException("A GenerationRun can be enumerated only once; call TextGenerator.Start again.");
        started = true;
        return Run();
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private IEnumerator<GeneratedToken> Run()
    {
        ILlamaModel model = generator.Model;
        SequenceDecoder sequence = generator.Decoder;
        Tokenizer tokenizer = generator.Tokenizer;
        int contextLength = sequence.Sequence.Capacity;
        var logits = new float[model.Shape.VocabSize];
        // Everything the repetition penalty may look at: prompt, then generated tokens.
        var history = new List<int>(promptTokens.Length + Math.Min(options.MaxNewTokens, contextLength));
        history.AddRange(promptTokens);

        var decoder = new StreamingDecoder(tokenizer);
        // Prime the decoder with the prompt so the first generated piece is spaced as a continuation. A lone BOS is
        // not pushed: llama2.c drops the leading space of the first token after BOS, and so does the decoder for the
        // first token it sees.
        if (promptTokens.Length > 1 || promptTokens[0] != tokenizer.BosId)
        {
            foreach (int id in promptTokens)
                decoder.Push(id);
        }
        var stops = new StopStringMatcher(options.StopStrings);

        if (cancellationToken.IsCancellationRequested)
        {
            StopReason = Inference.StopReason.Cancelled;
            yield break;
        }

        // Reuse what the sequence already holds of this prompt; at least the last prompt token is evaluated, for its logits.
        long start = Stopwatch.GetTimestamp();
        int cached = Math.Min(sequence.Sequence.CommonPrefix(promptTokens), promptTokens.Length - 1);
        cachedPromptTokens = cached;
        sequence.ForwardPrompt(promptTokens.AsSpan(cached), cached, logits);
        promptTicks = Stopwatch.GetTimestamp() - start;

        // position: where the next sampled token goes.
        int position = promptTokens.Length;
        if (options.MaxNewTokens == 0)
        {
            StopReason = Inference.StopReason.MaxTokens;
            yield break;
        }

        while (true)
        {
            start = Stopwatch.GetTimestamp();
            int id = sampler.Sample(logits, CollectionsMarshal.AsSpan(history));
            generationTicks += Stopwatch.GetTimestamp() - start;

            // Any end-of-generation token ends the run (EOS, <|eot_id|>, <|im_end|>...: llama.cpp's set), and so does BOS,
            // as in llama2.c. The token is not fed to the model and its text is never shown.
            if (tokenizer.IsEndOfGeneration(id) || id == tokenizer.BosId)
            {
                StopReason = Inference.StopReason.EndOfSequence;
                yield return new GeneratedToken(id, position, stops.Push(decoder.Flush(), out _) + stops.Flush(), IsEndOfSequence: true);
                yield break;
            }

            generated.Add(id);
            history.Add(id);
            string text = stops.Push(decoder.Push(id), out bool stopString);

            StopReason? reason =
                stopString ? Inference.StopReason.StopString :
                generated.Count == options.MaxNewTokens ? Inference.StopReason.MaxTokens :
                // A token at the last position could still be fed, but nothing could follow it.
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
                yield return new GeneratedToken(id, position, text);
                yield break;
            }

            yield return new GeneratedToken(id, position, text);

            // Cancellation is honoured between tokens, never inside a forward pass.
            if (cancellationToken.IsCancellationRequested)
            {
                StopReason = Inference.StopReason.Cancelled;
                yield break;
            }

            start = Stopwatch.GetTimestamp();
            sequence.Forward(id, position, logits);
            generationTicks += Stopwatch.GetTimestamp() - start;
            position++;
        }
    }
}
