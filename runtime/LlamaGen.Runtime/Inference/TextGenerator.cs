using LlamaGen.Sequences;
using LlamaGen.Threading;
using LlamaGen.Tokenization;
using LlamaGen.Models;

namespace LlamaGen.Inference;

/// <summary>
/// Generates text with a model and its tokenizer: tokenize the prompt, evaluate it, then sample and feed one token
/// at a time until a stop condition (see <see cref="StopReason"/>). The generator keeps one sequence: a run evaluates
/// only the prompt tokens after the longest prefix the sequence already holds (a prompt that extends the previous run's
/// text reuses its KV cache). One run at a time; create one generator per conversation.
/// </summary>
/// <remarks>
/// Semantics follow llama2.c's <c>run.c</c> where they matter for reproducing it: BOS sits at position 0, an empty
/// prompt means BOS alone (how the TinyStories models start a story), sampling BOS ends the run as EOS does, and
/// the first token generated after a lone BOS loses its leading space. Any token of the tokenizer's end-of-generation
/// set (<see cref="Tokenization.Tokenizer.IsEndOfGeneration"/>) ends the run, as in llama.cpp.
/// </remarks>
public sealed class TextGenerator : IDisposable
{
    /// <param name="pool">Splits the large products over its threads (the caller owns it); null computes on the calling thread.</param>
    /// <param name="sequence">How the generator's sequence is made (its context and KV cache type).</param>
    public TextGenerator(ILlamaModel model, Tokenizer tokenizer, WorkerPool? pool = null, SequenceOptions? sequence = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tokenizer);
        if (tokenizer.VocabSize != model.Shape.VocabSize)
            throw new ArgumentException(
                $"The tokenizer has {tokenizer.VocabSize} tokens but model '{model.Shape.Name}' has a vocabulary of {model.Shape.VocabSize}.",
                nameof(tokenizer));
        Model = model;
        Tokenizer = tokenizer;
        Decoder = new SequenceDecoder(model, sequence, pool);
    }

    /// <summary>The generator's sequence and its batch.</summary>
    public SequenceDecoder Decoder { get; }

    /// <summary>The sequence the runs decode into; it keeps the last run's tokens for the next one to reuse.</summary>
    public Sequence Sequence => Decoder.Sequence;

    public ILlamaModel Model { get; }

    public Tokenizer Tokenizer { get; }

    /// <summary>
    /// Tokenizes and checks the prompt now, and returns a run that generates as it is enumerated (once).
    /// </summary>
    /// <exception cref="ArgumentException">The prompt is empty and no BOS is added, or it does not leave room for a
    /// single generated token in the context.</exception>
    public GenerationRun Start(string prompt, GenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        options ??= new GenerationOptions();
        options.Validate();

        bool addBos = options.AddBos ?? Tokenizer.AddBos;
        int[] promptTokens = Tokenizer.Encode(prompt, addBos, options.ParseSpecialTokens);
        if (promptTokens.Length == 0)
            throw new ArgumentException("The prompt is empty and no BOS token is added, so there is nothing to generate from.", nameof(prompt));

        int contextLength = Decoder.Sequence.Capacity;
        if (promptTokens.Length > contextLength - 1)
            throw new ArgumentException(
                $"The prompt is {promptTokens.Length} tokens long but model '{Model.Shape.Name}' has a context length of {contextLength}; " +
                $"a prompt may have at most {contextLength - 1} tokens.", nameof(prompt));

        return new GenerationRun(this, promptTokens, options, cancellationToken);
    }

    public void Dispose() => Decoder.Dispose();

    /// <summary>Runs generation to its end and returns the text, the tokens and why it stopped.</summary>
    public GenerationResult Generate(string prompt, GenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var run = Start(prompt, options, cancellationToken);
        var text = new System.Text.StringBuilder();
        foreach (var token in run)
            text.Append(token.Text);
        return new GenerationResult(text.ToString(), run.PromptTokens, run.GeneratedTokens.ToArray(),
            run.StopReason!.Value, run.Statistics, run.Seed);
    }
}
