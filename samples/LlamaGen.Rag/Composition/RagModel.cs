using LlamaGen.Rag.Storage;
using LlamaGen.Rag.Tokens;
using Microsoft.Extensions.AI;

namespace LlamaGen.Rag.Composition;

/// <summary>Everything the sample needs from a loaded model, through the Microsoft.Extensions.AI abstractions.</summary>
/// <param name="Embeddings">Embeds passages (in batches: one call, several texts, which the adapter runs as parallel sequences) and questions.</param>
/// <param name="Chat">Answers; applies the model's own chat template to the messages.</param>
/// <param name="Tokens">The model's tokenizer, to size passages and fit the prompt into the context.</param>
/// <param name="Identity">Which model and pooling make the vectors, and their size; recorded in the store, checked on every use.</param>
/// <param name="ContextTokens">The model's context length: prompt and answer together must fit in it.</param>
public sealed record RagModel(
    IEmbeddingGenerator<string, Embedding<float>> Embeddings,
    IChatClient Chat,
    ITokenCounter Tokens,
    EmbeddingModelIdentity Identity,
    int ContextTokens) : IDisposable
{
    /// <summary>Called when the command is done with the model (the adapters own the loaded weights).</summary>
    public Action? OnDispose { get; init; }

    public void Dispose()
    {
        Embeddings.Dispose();
        Chat.Dispose();
        OnDispose?.Invoke();
    }
}
