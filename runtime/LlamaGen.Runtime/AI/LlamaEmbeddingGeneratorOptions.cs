using LlamaGen.Inference;

namespace LlamaGen.AI;

/// <summary>How a <see cref="LlamaEmbeddingGenerator"/> makes embeddings.</summary>
public sealed record LlamaEmbeddingGeneratorOptions
{
    /// <summary>The model id the generator reports; null: the model's name.</summary>
    public string? ModelId { get; init; }

    /// <summary>How the tokens' final hidden states become one vector (mean, as llama.cpp's server does for these models).</summary>
    public EmbeddingPooling Pooling { get; init; } = EmbeddingPooling.Mean;

    /// <summary>Scale each embedding to unit length (L2), as llama.cpp's server does.</summary>
    public bool Normalize { get; init; } = true;

    /// <summary>Put BOS before each input; null follows the tokenizer (<c>tokenizer.ggml.add_bos_token</c>).</summary>
    public bool? AddBos { get; init; }

    /// <summary>Recognise control-token texts such as <c>&lt;s&gt;</c> in the inputs (off: documents are text, whatever they hold).</summary>
    public bool ParseSpecialTokens { get; init; }
}
