using LlamaGen.Tokenization;
using LlamaGen.Gguf;
using LlamaGen.Rag.Composition;
using LlamaGen.Rag.Storage;
using LlamaGen.Rag.Tokens;

namespace LlamaGen.Rag.TestDoubles;

/// <summary>
/// TEST DOUBLE composition: a <see cref="RagModel"/> whose tokenizer is the real one of the GGUF given as <c>--model</c>
/// (llama-2-tiny-random.gguf: the Llama 2 vocabulary) and whose embedder and chat client are the test doubles.
/// </summary>
public static class TestModels
{
    /// <summary>Milliseconds each embedding batch waits (the kill test needs an ingest slow enough to be killed mid-run).</summary>
    public const string DelayVariable = "LLAMAGEN_RAG_TEST_EMBED_DELAY_MS";

    public static RagModel Load(string modelPath, int dimensions = 256, TimeSpan delayPerBatch = default)
    {
        if (!File.Exists(modelPath)) throw new FileNotFoundException($"--model '{modelPath}' not found", modelPath);
        if (delayPerBatch == default && int.TryParse(Environment.GetEnvironmentVariable(DelayVariable), out int delay))
            delayPerBatch = TimeSpan.FromMilliseconds(delay);
        var file = GgufFile.Open(modelPath);
        var embeddings = new HashedBagOfWordsEmbeddingGenerator(dimensions, delayPerBatch);
        return new RagModel(embeddings, new CitingChatClient(), new TokenizerTokenCounter(Tokenizer.FromGguf(file)),
            new EmbeddingModelIdentity($"test-double:hashed-bag-of-words:{ModelFingerprint.Of(modelPath)}", "hashed", dimensions),
            ContextTokens: 4096) { OnDispose = file.Dispose };
    }
}
