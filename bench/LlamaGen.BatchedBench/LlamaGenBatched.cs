using System.Diagnostics;
using LlamaGen.Catalog;
using LlamaGen.Cli;
using LlamaGen.Gguf;
using LlamaGen.Models;
using LlamaGen.Sequences;
using LlamaGen.Threading;

namespace LlamaGen.BatchedBench;

/// <summary>
/// LlamaGen's side: N sequences, each prefilled with its own random prompt (not timed), then the timed steps, each a
/// <see cref="DecodeBatch"/> of one token per sequence (the greedy argmax of its last logits).
/// </summary>
internal static class LlamaGenBatched
{
    public static BatchedRun Run(string path, int threads, int[] streams, int prompt, int steps, ulong seed)
    {
        using var file = GgufFile.Open(path);
        ModelDescriptor descriptor = ModelCatalog.Match(file, CompiledModels.All);
        using WorkerPool? pool = threads > 1 ? new WorkerPool(threads) : null;
        using ILlamaModel model = descriptor.Load(file);
        int vocabulary = model.Shape.VocabSize;
        var seconds = new Dictionary<int, double>();
        foreach (int n in streams)
        {
            var sequences = new Sequence[n];
            using var batch = new DecodeBatch(model, Math.Max(n, prompt), pool);
            int[] next = new int[n];
            for (int s = 0; s < n; s++)
            {
                sequences[s] = model.CreateSequence(new SequenceOptions { ContextLength = prompt + steps + 1 });
                batch.Clear();
                int row = batch.Add(sequences[s], BenchPrompt.Create(file, prompt, seed + (ulong)s), BatchOutput.Logits);
                batch.Decode();
                next[s] = ArgMax(batch.Logits(row));
            }
            var rows = new int[n];
            long start = Stopwatch.GetTimestamp();
            for (int step = 0; step < steps; step++)
            {
                batch.Clear();
                for (int s = 0; s < n; s++) rows[s] = batch.Add(sequences[s], next[s], BatchOutput.Logits);
                batch.Decode();
                for (int s = 0; s < n; s++) next[s] = ArgMax(batch.Logits(rows[s]));
            }
            seconds[n] = Stopwatch.GetElapsedTime(start).TotalSeconds;
            Console.Error.WriteLine($"llamagen: {n} stream(s): {n * steps / seconds[n]:F2} tokens/s");
            foreach (Sequence sequence in sequences) sequence.Dispose();
            if (vocabulary == 0) throw new InvalidOperationException();
        }
        return new BatchedRun("llamagen", threads, prompt, steps, seconds, PeakMemory.PeakResidentBytes());
    }

    internal static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
            if (values[i] > values[best]) best = i;
        return best;
    }
}
