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
    private readonly GenerationState state;
    private bool started;
    private long promptTicks, generationTicks;

    internal GenerationRun(TextGenerator generator, int[] promptTokens, GenerationOptions options, CancellationToken cancellationToken)
    {
        this.generator = generator;
        this.promptTokens = promptTokens;
        this.options = options;
        this.cancellationToken = cancellationToken;
        state = new GenerationState(generator.Tokenizer, promptTokens, options, generator.Decoder.Sequence.Capacity);
    }

    public IReadOnlyList<int> PromptTokens => promptTokens;

    /// <summary>The tokens sampled so far, without the final end-of-generation token (or BOS) that ended the run.</summary>
    public IReadOnlyList<int> GeneratedTokens => state.Generated;

    /// <summary>Why the run ended; null while it runs or if the consumer stopped enumerating.</summary>
    public StopReason? StopReason { get; private set; }

    /// <summary>The sampler's seed (the random one picked when <see cref="SamplerOptions.Seed"/> is null).</summary>
    public ulong Seed => state.Sampler.Seed;

    public GenerationStatistics Statistics => new(
        promptTokens.Length, state.Generated.Count,
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
        var logits = new float[model.Shape.VocabSize];
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
        if (options.MaxNewTokens == 0)
        {
            StopReason = Inference.StopReason.MaxTokens;
            yield break;
        }

        while (true)
        {
            start = Stopwatch.GetTimestamp();
            GeneratedToken token = state.Next(logits);
            generationTicks += Stopwatch.GetTimestamp() - start;
            if (state.StopReason is { } reason)
            {
                StopReason = reason;
                yield return token;
                yield break;
            }
            yield return token;

            // Cancellation is honoured between tokens, never inside a forward pass.
            if (cancellationToken.IsCancellationRequested)
            {
                StopReason = Inference.StopReason.Cancelled;
                yield break;
            }

            start = Stopwatch.GetTimestamp();
            sequence.Forward(token.Id, token.Position, logits);
            generationTicks += Stopwatch.GetTimestamp() - start;
        }
    }
}
