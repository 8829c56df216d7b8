using System.Diagnostics;
using LLama;
using LLama.Common;
using LLama.Native;
using LlamaGen.Cli;
using LlamaGen.Gguf;

namespace LlamaGen.BatchedBench;

/// <summary>
/// llama.cpp's side through LLamaSharp's batch API: one context holding N sequences (seq ids 0..N-1), each prompt decoded
/// (not timed), then the timed steps, each one <see cref="LLamaBatch"/> with one token per sequence, logits for all.
/// llama.cpp's defaults otherwise (F16 KV cache, flash attention as it chooses).
/// </summary>
internal static class LlamaCppBatched
{
    public static BatchedRun Run(string path, int threads, int[] streams, int prompt, int steps, ulong seed)
    {
        NativeLibraryConfig.All.WithLogCallback((level, message) =>
        {
            if (level == LLamaLogLevel.Error) Console.Error.Write("llama.cpp: " + message);
        });
        int maxStreams = streams.Max();
        int[][] prompts;
        using (var file = GgufFile.Open(path))
            prompts = [.. Enumerable.Range(0, maxStreams).Select(s => BenchPrompt.Create(file, prompt, seed + (ulong)s))];
        var parameters = new ModelParams(path)
        {
            ContextSize = (uint)(maxStreams * (prompt + steps + 1)),
            BatchSize = (uint)Math.Max(prompt, maxStreams),
            UBatchSize = (uint)Math.Max(prompt, maxStreams),
            SeqMax = (uint)maxStreams,
            Threads = threads,
            BatchThreads = threads,
            GpuLayerCount = 0,
            LoadMode = LLamaLoadMode.MemoryMap,
        };
        using var weights = LLamaWeights.LoadFromFile(parameters);
        using var context = weights.CreateContext(parameters);
        var seconds = new Dictionary<int, double>();
        var batch = new LLamaBatch();
        foreach (int n in streams)
        {
            context.NativeHandle.MemoryClear(true);
            int[] next = new int[n];
            for (int s = 0; s < n; s++)
            {
                batch.Clear();
                for (int i = 0; i < prompt; i++) batch.Add(prompts[s][i], i, (LLamaSeqId)s, logits: i == prompt - 1);
                Decode(context, batch);
                next[s] = LlamaGenBatched.ArgMax(context.NativeHandle.GetLogitsIth(prompt - 1));
            }
            long start = Stopwatch.GetTimestamp();
            for (int step = 0; step < steps; step++)
            {
                batch.Clear();
                for (int s = 0; s < n; s++) batch.Add(next[s], prompt + step, (LLamaSeqId)s, logits: true);
                Decode(context, batch);
                for (int s = 0; s < n; s++) next[s] = LlamaGenBatched.ArgMax(context.NativeHandle.GetLogitsIth(s));
            }
            seconds[n] = Stopwatch.GetElapsedTime(start).TotalSeconds;
            Console.Error.WriteLine($"llama.cpp: {n} stream(s): {n * steps / seconds[n]:F2} tokens/s");
        }
        return new BatchedRun("llama.cpp", threads, prompt, steps, seconds, PeakMemory.PeakResidentBytes());
    }

    private static void Decode(LLamaContext context, LLamaBatch batch)
    {
        DecodeResult result = context.Decode(batch);
        if (result != DecodeResult.Ok) throw new InvalidOperationException($"llama.cpp decode of {batch.TokenCount} tokens failed with {result}.");
    }
}
