namespace LlamaGen.Sequences;

/// <summary>What a decoded row of a <see cref="DecodeBatch"/> leaves for the caller.</summary>
[Flags]
public enum BatchOutput
{
    /// <summary>Nothing: the token only fills its sequence's KV cache (a prompt token that is not the last).</summary>
    None = 0,

    /// <summary>The logits of the next token (VocabSize floats).</summary>
    Logits = 1,

    /// <summary>The final hidden state after the output norm (EmbeddingLength floats), what embeddings pool.</summary>
    Embedding = 2,
}
