using LlamaGen.Tokenization;

namespace LlamaGen.Inference;

/// <summary>
/// Generates text with a model and its tokenizer: tokenize the prompt, evaluate it, then sample and feed one token
/// at a time until a stop condition (see <see cref="StopReason"/>). One run at a time per model, since the model
/// owns a single KV cache; every run starts at position 0.
/// </summary>
/// <remarks>
/// Semantics follow llama2.c's <c>run.c</c> where they matter for reproducing it: BOS sits at position 0, an empty
/// prompt means BOS alone (how the TinyStories models start a story), sampling BOS ends the run as EOS does, and
/// the first token generated after a lone BOS loses its leading space. Any token of the tokenizer's end-of-generation
/// set (<see cref="Tokenization.Tokenizer.IsEndOfGeneration"/>) ends the run, as in llama.cpp.
/// </remarks>
public sealed class TextGenerator
{
    public TextGenerator(ILlamaModel model, Tokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tokenizer);
        if (tokenizer.VocabSize != model.Shape.VocabSize)
            throw new ArgumentException(
                $"The tokenizer has {tokenizer.VocabSize} tokens but model '{model.Shape.Name}' has a vocabulary of {model.Shape.VocabSize}.",
                nameof(tokenizer));
        Model = model;
        Tokenizer = tokenizer;
    }

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

        int contextLength = Model.Shape.ContextLength;
        if (promptTokens.Length > contextLength - 1)
            throw new ArgumentException(
                $"The prompt is {promptTokens.Length} tokens long but model '{Model.Shape.Name}' has a context length of {contextLength}; " +
                $"a prompt may have at most {contextLength - 1} tokens.", nameof(prompt));

        return new GenerationRun(this, promptTokens, options, cancellationToken);
    }

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
