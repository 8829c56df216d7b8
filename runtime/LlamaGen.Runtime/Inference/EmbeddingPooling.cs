namespace LlamaGen.Inference;

/// <summary>How the final hidden states of an input's tokens become one embedding (llama.cpp's pooling types).</summary>
public enum EmbeddingPooling
{
    /// <summary>The average over every token (llama.cpp's MEAN, its server's default for decoder models).</summary>
    Mean,

    /// <summary>The last token's (llama.cpp's LAST).</summary>
    Last,

    /// <summary>The first token's (llama.cpp's CLS).</summary>
    First,
}
