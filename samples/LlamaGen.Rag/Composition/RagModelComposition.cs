namespace LlamaGen.Rag.Composition;

/// <summary>
/// THE COMPOSITION POINT: where <c>llamagen-rag</c> turns <c>--model FILE</c> into a <see cref="RagModel"/>. Everything
/// else in the sample talks to the Microsoft.Extensions.AI abstractions it returns.
/// </summary>
public static class RagModelComposition
{
    /// <summary>
    /// Loads the model at <paramref name="modelPath"/> (a GGUF file, or a llama2.c checkpoint with its tokenizer beside it).
    /// </summary>
    /// <remarks>
    /// NOT WIRED YET. The integrator replaces the throw with the engine's adapters, along these lines:
    /// <code>
    /// var file = GgufFile.Open(modelPath);                       // or convert a llama2.c checkpoint first
    /// var model = ModelCatalog.Load(file);                       // the compiled spec that matches the file
    /// var embeddings = new LlamaGenEmbeddingGenerator(model, ...); // IEmbeddingGenerator&lt;string, Embedding&lt;float&gt;&gt;
    /// var chat = new LlamaGenChatClient(model, ...);             // IChatClient, applies the GGUF chat template
    /// return new RagModel(embeddings, chat, SentencePieceTokenCounter.FromGguf(file),
    ///     new EmbeddingModelIdentity(ModelFingerprint.Of(modelPath), pooling: "mean", model.EmbeddingLength),
    ///     model.ContextLength) { OnDispose = () => { model.Dispose(); file.Dispose(); } };
    /// </code>
    /// <see cref="ModelFingerprint.Of"/> is ready for the identity. There is deliberately no stand-in model here: a
    /// fake embedder shipped as the default would make every store it wrote useless with the real one.
    /// </remarks>
    public static RagModel Load(string modelPath)
    {
        if (!File.Exists(modelPath))
            throw new FileNotFoundException($"--model '{modelPath}' not found", modelPath);
        throw new ModelNotWiredException(modelPath);
    }
}
