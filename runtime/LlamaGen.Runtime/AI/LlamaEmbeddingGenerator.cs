using LlamaGen.Inference;
using LlamaGen.Models;
using LlamaGen.Tokenization;
using Microsoft.Extensions.AI;

namespace LlamaGen.AI;

/// <summary>
/// Microsoft.Extensions.AI's <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> over an <see cref="InferenceEngine"/>:
/// each input is tokenized, decoded as its own sequence (the inputs of a call in parallel, batched with whatever else the
/// engine runs), its final hidden states pooled (<see cref="LlamaEmbeddingGeneratorOptions.Pooling"/>) and, by default,
/// L2-normalized, as llama.cpp's server makes embeddings.
/// </summary>
public sealed class LlamaEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly InferenceEngine engine;
    private readonly LlamaEmbeddingGeneratorOptions options;
    private readonly EmbeddingGeneratorMetadata metadata;

    public LlamaEmbeddingGenerator(InferenceEngine engine, LlamaEmbeddingGeneratorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(engine);
        this.engine = engine;
        this.options = options ?? new LlamaEmbeddingGeneratorOptions();
        if (!Enum.IsDefined(this.options.Pooling)) throw new ArgumentOutOfRangeException(nameof(options), this.options.Pooling, "Unknown pooling.");
        ModelId = this.options.ModelId ?? engine.Model.Shape.Name;
        metadata = new EmbeddingGeneratorMetadata("LlamaGen", defaultModelId: ModelId, defaultModelDimensions: Dimensions);
    }

    public string ModelId { get; }

    /// <summary>Floats per embedding: the model's embedding length.</summary>
    public int Dimensions => engine.Model.Shape.EmbeddingLength;

    public LlamaEmbeddingGeneratorOptions Options => options;

    /// <summary>The token ids an input is embedded from (BOS as the options say, EOS when the vocabulary adds one).</summary>
    public int[] Tokenize(string input)
    {
        ArgumentNullException.ThrowIfNull(input);
        Tokenizer tokenizer = engine.Tokenizer;
        var tokens = new List<int>();
        tokenizer.Encode(input, options.AddBos ?? tokenizer.AddBos, options.ParseSpecialTokens, tokens);
        if (tokenizer.AddEos && tokenizer.EosId >= 0) tokens.Add(tokenizer.EosId);
        return [.. tokens];
    }

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (options?.Dimensions is int dimensions && dimensions != Dimensions)
            throw new NotSupportedException($"EmbeddingGenerationOptions.Dimensions {dimensions}: model '{ModelId}' makes {Dimensions}-dimensional embeddings only.");
        if (options?.ModelId is { } requested && !string.Equals(requested, ModelId, StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"EmbeddingGenerationOptions.ModelId '{requested}': this generator serves '{ModelId}' only.", nameof(options));
        if (options?.AdditionalProperties is { Count: > 0 } extra)
            throw new NotSupportedException($"EmbeddingGenerationOptions.AdditionalProperties[\"{extra.Keys.First()}\"]: LlamaGen's embedding generator takes no extra options.");

        var inputs = new List<IReadOnlyList<int>>();
        long tokens = 0;
        int index = 0;
        foreach (string value in values)
        {
            if (value is null) throw new ArgumentException($"values[{index}] is null.", nameof(values));
            int[] ids = Tokenize(value);
            if (ids.Length == 0) throw new ArgumentException($"values[{index}] is empty and no BOS is added: there is nothing to embed.", nameof(values));
            inputs.Add(ids);
            tokens += ids.Length;
            index++;
        }
        float[][] vectors = await engine.EmbedAsync(inputs, this.options.Pooling, this.options.Normalize, cancellationToken).ConfigureAwait(false);
        var result = new GeneratedEmbeddings<Embedding<float>>(vectors.Length)
        {
            Usage = new UsageDetails { InputTokenCount = tokens, TotalTokenCount = tokens },
        };
        DateTimeOffset now = DateTimeOffset.UtcNow;
        foreach (float[] vector in vectors) result.Add(new Embedding<float>(vector) { ModelId = ModelId, CreatedAt = now });
        return result;
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(EmbeddingGeneratorMetadata) ? metadata
            : serviceType == typeof(InferenceEngine) ? engine
            : serviceType == typeof(ILlamaModel) ? engine.Model
            : serviceType == typeof(Tokenizer) ? engine.Tokenizer
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    /// <summary>Nothing to free: the engine is the caller's.</summary>
    public void Dispose() { }
}
