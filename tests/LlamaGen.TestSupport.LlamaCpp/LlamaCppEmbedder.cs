using LLama;
using LLama.Common;
using LLama.Native;

namespace LlamaGen.TestSupport.LlamaCpp;

/// <summary>
/// A GGUF file loaded by llama.cpp in embedding mode (LLamaSharp 0.30.0): the pooled final hidden states of token
/// sequences, as llama.cpp's server computes embeddings before it normalizes them. Not thread-safe.
/// </summary>
public sealed class LlamaCppEmbedder : IDisposable
{
    private readonly LLamaWeights weights;
    private readonly LLamaContext context;
    private readonly int maxSequences;

    static LlamaCppEmbedder() => LlamaCppOracle.EnsureQuietLog();

    private LlamaCppEmbedder(LLamaWeights weights, LLamaContext context, int maxSequences)
    {
        this.weights = weights;
        this.context = context;
        this.maxSequences = maxSequences;
    }

    /// <param name="pooling">llama.cpp's pooling (<see cref="LLamaPoolingType.Mean"/>, <see cref="LLamaPoolingType.Last"/>, <see cref="LLamaPoolingType.CLS"/>).</param>
    /// <param name="maxSequences">Inputs embedded together in one batch at most (each its own sequence id).</param>
    public static LlamaCppEmbedder Open(string ggufPath, LLamaPoolingType pooling, uint contextSize = 512, int maxSequences = 8, int threads = 1)
    {
        if (!File.Exists(ggufPath)) throw new FileNotFoundException($"GGUF file for llama.cpp not found: {ggufPath}", ggufPath);
        var parameters = new ModelParams(ggufPath)
        {
            ContextSize = contextSize,
            BatchSize = contextSize,
            // Pooling needs every token of a sequence in one micro-batch.
            UBatchSize = contextSize,
            SeqMax = (uint)maxSequences,
            GpuLayerCount = 0,
            Threads = threads,
            BatchThreads = threads,
            Embeddings = true,
            PoolingType = pooling,
            TypeK = GGMLType.GGML_TYPE_F32,
            TypeV = GGMLType.GGML_TYPE_F32,
            FlashAttention = false,
        };
        var weights = LLamaWeights.LoadFromFile(parameters);
        try
        {
            return new LlamaCppEmbedder(weights, weights.CreateContext(parameters), maxSequences);
        }
        catch
        {
            weights.Dispose();
            throw;
        }
    }

    /// <summary>The pooled embeddings of <paramref name="inputs"/>, decoded together as sequences 0, 1, ... of one batch (not normalized).</summary>
    public float[][] Embed(IReadOnlyList<IReadOnlyList<int>> inputs)
    {
        if (inputs.Count > maxSequences) throw new ArgumentException($"At most {maxSequences} inputs per call.", nameof(inputs));
        context.NativeHandle.MemoryClear(true);
        var batch = new LLamaBatch();
        for (int s = 0; s < inputs.Count; s++)
        {
            for (int i = 0; i < inputs[s].Count; i++)
                batch.Add(inputs[s][i], i, (LLamaSeqId)s, logits: true);
        }
        DecodeResult result = context.Decode(batch);
        if (result != DecodeResult.Ok)
            throw new InvalidOperationException($"llama.cpp embedding decode of {batch.TokenCount} tokens failed with {result}.");
        var embeddings = new float[inputs.Count][];
        for (int s = 0; s < inputs.Count; s++) embeddings[s] = context.NativeHandle.GetEmbeddingsSeq((LLamaSeqId)s).ToArray();
        return embeddings;
    }

    public void Dispose()
    {
        context.Dispose();
        weights.Dispose();
    }
}
