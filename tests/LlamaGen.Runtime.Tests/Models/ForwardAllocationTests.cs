using LlamaGen.Gguf;
using LlamaGen.Runtime.Tests.Threading;
using LlamaGen.Compute;
using LlamaGen.Models;
using LlamaGen.Sequences;
using LlamaGen.Threading;

namespace LlamaGen.Runtime.Tests.Models;

/// <summary>
/// A warmed-up decode step (<c>Forward</c>) and a warmed-up prompt chunk (<c>ForwardPrompt</c>) allocate nothing on
/// the managed heap, with or without a worker pool: generation runs hundreds of them per second, and each allocation
/// would end up as GC pauses in the token latency.
/// </summary>
[Collection(AllocationMeasurementCollection.Name)]
public sealed class ForwardAllocationTests(PromptModels models) : IClassFixture<PromptModels>
{
    [Theory]
    [InlineData("stories260K-F32", 1, KvCacheType.F32)]
    [InlineData("stories260K-Q4_0", 2, KvCacheType.F32)]
    [InlineData("test-small-Q8_0", 1, KvCacheType.F16)]
    [InlineData("test-small-Q4_0", 2, KvCacheType.F32)]
    [InlineData("test-small-F16", 2, KvCacheType.F16)]
    public void DecodeStepAndPromptChunkAllocateNothing(string name, int threads, KvCacheType kvCacheType)
    {
        string path = models.Path(name);
        using var pool = threads > 1 ? new WorkerPool(threads) : null;
        using var file = GgufFile.Open(path);
        using ILlamaModel model = PromptModels.Load(name, file, new ModelLoadOptions { KvCacheType = kvCacheType });
        using var decoder = new SequenceDecoder(model, pool: pool);
        {
            int chunk = 64;
            int[] tokens = PromptModels.Prompt(4 * chunk, model.Shape.VocabSize);
            var logits = new float[model.Shape.VocabSize];
            // Warm up: the first prompt allocates the chunk buffers, and the first calls run unoptimized code.
            for (int round = 0; round < 3; round++)
            {
                decoder.ForwardPrompt(tokens.AsSpan(0, chunk), 0, logits);
                for (int position = chunk; position < chunk + 8; position++) decoder.Forward(tokens[position], position, logits);
            }

            long before = GC.GetAllocatedBytesForCurrentThread();
            decoder.Forward(tokens[chunk + 8], chunk + 8, logits);
            long decode = GC.GetAllocatedBytesForCurrentThread() - before;

            before = GC.GetAllocatedBytesForCurrentThread();
            decoder.ForwardPrompt(tokens.AsSpan(chunk + 9, chunk), chunk + 9, logits);
            long prompt = GC.GetAllocatedBytesForCurrentThread() - before;

            Assert.Equal(0, decode);
            Assert.Equal(0, prompt);
        }
    }

    [Theory]
    [InlineData("test-small-Q4_0", 1)]
    [InlineData("test-k-Q4_K", 2)]
    public void ABatchedStepOfEightSequencesAllocatesNothing(string name, int threads)
    {
        using var pool = threads > 1 ? new WorkerPool(threads) : null;
        using var file = GgufFile.Open(models.Path(name));
        using ILlamaModel model = PromptModels.Load(name, file, ModelLoadOptions.Default);
        var sequences = Enumerable.Range(0, 8).Select(_ => model.CreateSequence()).ToArray();
        using var batch = new DecodeBatch(model, capacity: 16, pool);
        void Step(int token)
        {
            batch.Clear();
            foreach (Sequence s in sequences) batch.Add(s, token);
            batch.Decode();
            _ = batch.Logits(7)[0];
        }
        for (int i = 0; i < 4; i++) Step(i + 1);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Step(9);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        foreach (Sequence s in sequences) s.Dispose();
        Assert.Equal(0, allocated);
    }
}
