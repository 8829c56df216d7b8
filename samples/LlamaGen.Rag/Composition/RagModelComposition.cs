using LlamaGen.Catalog;
using LlamaGen.Hosting;
using LlamaGen.Inference;
using LlamaGen.Rag.Storage;
using LlamaGen.Rag.Tokens;

namespace LlamaGen.Rag.Composition;

/// <summary>
/// THE COMPOSITION POINT: where <c>llamagen-rag</c> turns <c>--model FILE</c> into a <see cref="RagModel"/>. Everything
/// else in the sample talks to the Microsoft.Extensions.AI abstractions it returns: swap these two adapters for any other
/// <see cref="Microsoft.Extensions.AI.IEmbeddingGenerator{TInput, TEmbedding}"/> and <see cref="Microsoft.Extensions.AI.IChatClient"/>
/// and nothing else changes.
/// </summary>
public static class RagModelComposition
{
    /// <summary>
    /// Loads the GGUF model at <paramref name="modelPath"/> with the models compiled into <see cref="CompiledModels"/>: one
    /// engine, shared by the embedding generator (mean pooling, L2-normalized, passages of a batch decoded as parallel
    /// sequences) and the chat client (the file's chat template).
    /// </summary>
    public static RagModel Load(string modelPath)
    {
        if (!File.Exists(modelPath))
            throw new FileNotFoundException($"--model '{modelPath}' not found", modelPath);
        LocalModel local = LocalModel.Load(modelPath, CompiledModels.All, new LocalModelOptions
        {
            Engine = new InferenceEngineOptions { MaxParallel = 8, BatchCapacity = 256, PromptChunk = 128 },
        });
        try
        {
            var embeddings = local.CreateEmbeddingGenerator(new AI.LlamaEmbeddingGeneratorOptions { Pooling = EmbeddingPooling.Mean });
            var chat = local.CreateChatClient();
            var identity = new EmbeddingModelIdentity(ModelFingerprint.Of(modelPath), "mean", local.Model.Shape.EmbeddingLength);
            return new RagModel(embeddings, chat, new TokenizerTokenCounter(local.Tokenizer), identity, local.Engine.ContextLength)
            {
                OnDispose = local.Dispose,
            };
        }
        catch
        {
            local.Dispose();
            throw;
        }
    }
}
