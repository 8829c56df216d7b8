using LlamaGen.Conversion;
using LlamaGen.Gguf;
using LlamaGen.TestModels;
using LlamaGen.Quantization;
using LlamaGen.TestSupport.Reference;
using LlamaGen.Models;
using LlamaGen.Sequences;
using LlamaGen.Threading;

namespace LlamaGen.Runtime.Tests.Threading;

/// <summary>
/// A decode with a <see cref="WorkerPool"/> splits its large products by rows; the chunks follow the kernels' 8-row
/// groups, so every logit must equal the single-thread run bit for bit.
/// </summary>
public sealed class PooledForwardTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("llamagen-pooled-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Theory]
    [InlineData(GgmlType.F32, 2)]
    [InlineData(GgmlType.F16, 3)]
    [InlineData(GgmlType.Q8_0, 2)]
    [InlineData(GgmlType.Q4_0, 4)]
    public void PooledLogitsEqualSingleThreadLogits(GgmlType type, int threads)
    {
        string path = Path.Combine(directory, $"small-{type}.gguf");
        SyntheticModelWriter.Write(Llama2TestSmall.Spec, type, ReferenceFixtures.TinyRandomGguf, path, seed: 7);
        using var file = GgufFile.Open(path);
        // The test shape must really take the pooled path: its classifier and FFN products are above the threshold.
        Assert.True((long)Llama2TestSmall.VocabSize * Llama2TestSmall.EmbeddingLength >= Llama2TestSmall.ParallelProductSize);
        Assert.True((long)Llama2TestSmall.FeedForwardLength * Llama2TestSmall.EmbeddingLength >= Llama2TestSmall.ParallelProductSize);

        int[] tokens = [1, 450, 4996, 17354, 1701, 432, 17204, 975, 278, 17366];
        using var model = Llama2TestSmall.Load(file);
        float[][] single = Run(model, null, tokens);
        using var pool = new WorkerPool(threads);
        float[][] pooled = Run(model, pool, tokens);

        for (int position = 0; position < tokens.Length; position++)
            Assert.True(single[position].AsSpan().SequenceEqual(pooled[position]),
                $"{type}, {threads} threads: logits differ at position {position}");
    }

    /// <summary>
    /// Prompt chunks of two sequences in one batch, then a token of each: with a pool the rows attend on all threads (a
    /// score slice each, rows interleaved over the slices), and every logit still equals the single-thread run bit for bit.
    /// </summary>
    [Theory]
    [InlineData(GgmlType.Q4_0, 2)]
    [InlineData(GgmlType.F16, 3)]
    public void PooledAttentionOverABatchEqualsSingleThread(GgmlType type, int threads)
    {
        string path = Path.Combine(directory, $"small-batch-{type}.gguf");
        SyntheticModelWriter.Write(Llama2TestSmall.Spec, type, ReferenceFixtures.TinyRandomGguf, path, seed: 11);
        using var file = GgufFile.Open(path);
        using var model = Llama2TestSmall.Load(file);
        int[][] prompts = [[1, 450, 4996, 17354, 1701, 432, 17204, 975, 278, 17366, 29889, 13], [1, 3118, 2501, 263, 931, 29892, 727, 471, 263]];
        float[][] single = RunBatch(model, null, prompts);
        using var pool = new WorkerPool(threads);
        float[][] pooled = RunBatch(model, pool, prompts);
        for (int i = 0; i < single.Length; i++)
            Assert.True(single[i].AsSpan().SequenceEqual(pooled[i]), $"{type}, {threads} threads: logits {i} differ");
    }

    private static float[][] RunBatch(ILlamaModel model, WorkerPool? pool, int[][] prompts)
    {
        var sequences = prompts.Select(_ => model.CreateSequence()).ToArray();
        using var batch = new DecodeBatch(model, capacity: 32, pool);
        var results = new List<float[]>();
        var rows = new int[prompts.Length];
        for (int s = 0; s < prompts.Length; s++) rows[s] = batch.Add(sequences[s], prompts[s]);
        batch.Decode();
        for (int s = 0; s < prompts.Length; s++) results.Add(batch.Logits(rows[s]).ToArray());
        batch.Clear();
        for (int s = 0; s < prompts.Length; s++) rows[s] = batch.Add(sequences[s], 29871 + s);
        batch.Decode();
        for (int s = 0; s < prompts.Length; s++) results.Add(batch.Logits(rows[s]).ToArray());
        foreach (var sequence in sequences) sequence.Dispose();
        return [.. results];
    }

    private static float[][] Run(ILlamaModel model, WorkerPool? pool, int[] tokens)
    {
        using var decoder = new SequenceDecoder(model, pool: pool);
        {
            var all = new float[tokens.Length][];
            for (int position = 0; position < tokens.Length; position++)
            {
                all[position] = new float[model.Shape.VocabSize];
                decoder.Forward(tokens[position], position, all[position]);
            }
            return all;
        }
    }
}
