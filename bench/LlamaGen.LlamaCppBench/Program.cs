using System.CommandLine;
using System.Diagnostics;
using System.Runtime.InteropServices;
using LLama;
using LLama.Common;
using LLama.Exceptions;
using LLama.Native;
using LlamaGen.Cli;
using LlamaGen.Gguf;

namespace LlamaGen.LlamaCppBench;

/// <summary>
/// <c>llamagen bench</c> for llama.cpp: the same options, the same random prompt ids, the same JSON report. The prompt
/// is decoded as one batch (batch and micro-batch as large as the prompt, as llama-bench does), then each generated
/// token alone, greedy argmax over the logits; the KV cache is cleared between repetitions.
/// </summary>
public static class Program
{
    private const int UserError = 1;

    public static int Main(string[] args)
    {
        var model = new Option<string>("--model", "-m") { Description = "GGUF model file", Required = true };
        var threads = new Option<int>("--threads", "-t") { Description = "Threads (llama.cpp n_threads and n_threads_batch)", DefaultValueFactory = _ => Environment.ProcessorCount };
        var prompt = new Option<int>("--prompt", "-p") { Description = "Prompt length in tokens (random ids, one batch)", DefaultValueFactory = _ => 128 };
        var gen = new Option<int>("--gen", "-n") { Description = "Tokens to generate one at a time after the prompt", DefaultValueFactory = _ => 64 };
        var reps = new Option<int>("--reps", "-r") { Description = "Repetitions; the medians are reported", DefaultValueFactory = _ => 3 };
        var seed = new Option<ulong>("--seed", "-s") { Description = "Seed of the random prompt ids", DefaultValueFactory = _ => BenchPrompt.DefaultSeed };
        var json = new Option<bool>("--json") { Description = "Print one JSON object to stdout" };
        var root = new RootCommand("llama.cpp (LLamaSharp 0.30.0, CPU) timed like `llamagen bench`") { model, threads, prompt, gen, reps, seed, json };

        ParseResult parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            Console.Error.WriteLine($"error: {parse.Errors[0].Message}");
            return UserError;
        }
        if (parse.Action is not null && parse.GetResult(model) is null)
            return parse.Invoke(); // --help, --version

        string path = parse.GetValue(model)!;
        int threadCount = parse.GetValue(threads), promptTokens = parse.GetValue(prompt), genTokens = parse.GetValue(gen), repCount = parse.GetValue(reps);
        string? problem =
            !File.Exists(path) ? $"model file '{path}' not found" :
            threadCount < 1 ? $"--threads must be >= 1 (got {threadCount})" :
            promptTokens < 1 ? $"--prompt must be >= 1 token (got {promptTokens})" :
            genTokens < 1 ? $"--gen must be >= 1 token (got {genTokens})" :
            repCount < 1 ? $"--reps must be >= 1 (got {repCount})" : null;
        if (problem is not null)
        {
            Console.Error.WriteLine($"error: {problem}");
            return UserError;
        }

        try
        {
            BenchReport report = Run(path, threadCount, promptTokens, genTokens, repCount, parse.GetValue(seed));
            Console.Out.WriteLine(parse.GetValue(json)
                ? BenchReportJson.Serialize(report)
                : $"pp{promptTokens} {report.PpTokensPerS:F2} t/s, tg{genTokens} {report.TgTokensPerS:F2} t/s, load {report.LoadMs:F1} ms, " +
                  $"peak RSS {report.PeakRssBytes / (1024.0 * 1024.0):F1} MiB, {report.Isa} ({report.NativeLibrary})");
            return 0;
        }
        catch (Exception e) when (e is GgufFormatException or InvalidDataException or LoadWeightsFailedException)
        {
            Console.Error.WriteLine($"error: {path}: {e.Message}");
            return UserError;
        }
    }

    private static BenchReport Run(string path, int threads, int promptTokens, int genTokens, int reps, ulong seed)
    {
        // The prompt ids come from the GGUF file exactly as `llamagen bench` computes them.
        int[] promptIds;
        using (var file = GgufFile.Open(path))
            promptIds = BenchPrompt.Create(file, promptTokens, seed);

        string systemInfo = LoadNativeLibrary();

        var parameters = new ModelParams(path)
        {
            ContextSize = (uint)(promptTokens + genTokens),
            // The whole prompt in one batch and one micro-batch, as llama-bench decodes pp128.
            BatchSize = (uint)promptTokens,
            UBatchSize = (uint)promptTokens,
            Threads = threads,
            BatchThreads = threads,
            GpuLayerCount = 0,
            LoadMode = LLamaLoadMode.MemoryMap,
        };

        long loadStart = Stopwatch.GetTimestamp();
        using var weights = LLamaWeights.LoadFromFile(parameters);
        using var context = weights.CreateContext(parameters);
        double loadMs = Stopwatch.GetElapsedTime(loadStart).TotalMilliseconds;

        int vocabulary = weights.NativeHandle.Vocab.Count;
        if (promptIds.Any(id => id >= vocabulary))
            throw new InvalidDataException($"llama.cpp reports a vocabulary of {vocabulary} tokens, smaller than token_embd.weight's");

        var batch = new LLamaBatch();
        long warmupStart = Stopwatch.GetTimestamp();
        batch.Add(promptIds[0], 0, LLamaSeqId.Zero, logits: true);
        Decode(context, batch, path);
        double warmupMs = Stopwatch.GetElapsedTime(warmupStart).TotalMilliseconds;
        Console.Error.WriteLine(FormattableString.Invariant($"bench: llama.cpp {NativeBuild()}, load {loadMs:F1} ms, warm-up token {warmupMs:F1} ms"));

        var ppMs = new double[reps];
        var tgMs = new double[reps];
        var generated = new int[genTokens];
        int[] firstGenerated = [];
        for (int rep = 0; rep < reps; rep++)
        {
            context.NativeHandle.MemoryClear(true);
            batch.Clear();
            for (int i = 0; i < promptIds.Length; i++)
                batch.Add(promptIds[i], i, LLamaSeqId.Zero, logits: i == promptIds.Length - 1);

            long start = Stopwatch.GetTimestamp();
            Decode(context, batch, path);
            // Reading the logits waits for the backend, so the time covers the whole decode.
            Span<float> logits = context.NativeHandle.GetLogitsIth(batch.TokenCount - 1);
            ppMs[rep] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;

            start = Stopwatch.GetTimestamp();
            int position = promptTokens;
            for (int i = 0; i < genTokens; i++)
            {
                int next = ArgMax(logits);
                generated[i] = next;
                batch.Clear();
                batch.Add(next, position++, LLamaSeqId.Zero, logits: true);
                Decode(context, batch, path);
                logits = context.NativeHandle.GetLogitsIth(0);
            }
            tgMs[rep] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (rep == 0) firstGenerated = (int[])generated.Clone();
            Console.Error.WriteLine(FormattableString.Invariant(
                $"bench: rep {rep + 1}/{reps}: pp{promptTokens} {promptTokens * 1000.0 / ppMs[rep]:F2} t/s, tg{genTokens} {genTokens * 1000.0 / tgMs[rep]:F2} t/s"));
        }

        double[] ppRates = ppMs.Select(ms => promptTokens * 1000.0 / ms).ToArray();
        double[] tgRates = tgMs.Select(ms => genTokens * 1000.0 / ms).ToArray();
        string? library = LoadedModule("libggml-cpu") ?? LoadedModule("libllama");
        return new BenchReport
        {
            Engine = "llama.cpp",
            EngineVersion = "LLamaSharp " + LLamaSharpVersion(),
            Model = path,
            ModelBytes = new FileInfo(path).Length,
            ModelName = weights.NativeHandle.Description,
            ThreadsRequested = threads,
            ThreadsUsed = threads,
            PromptTokens = promptTokens,
            GenTokens = genTokens,
            Reps = reps,
            Seed = seed,
            PromptFingerprint = BenchPrompt.Fingerprint(promptIds),
            LoadMs = loadMs,
            WarmupMs = warmupMs,
            PpTokensPerS = BenchReport.Median(ppRates),
            TgTokensPerS = BenchReport.Median(tgRates),
            PpMs = ppMs,
            TgMs = tgMs,
            PpTokensPerSRuns = ppRates,
            TgTokensPerSRuns = tgRates,
            PromptIds = promptIds,
            GeneratedIds = firstGenerated,
            PeakRssBytes = PeakMemory.PeakResidentBytes(),
            Isa = NativeBuild(),
            NativeLibrary = library,
            Notes = [$"llama.cpp defaults otherwise (KV cache type, flash attention); system info: {systemInfo.Trim()}"],
        };
    }

    /// <summary>
    /// Loads llama.cpp before the load timer starts (picking the library is not loading a model) with its logging cut
    /// to errors, and returns llama.cpp's own system-info line (the CPU features its build uses).
    /// </summary>
    private static string LoadNativeLibrary()
    {
        NativeLibraryConfig.All.WithLogCallback((level, message) =>
        {
            if (level == LLamaLogLevel.Error)
                Console.Error.Write("llama.cpp: " + message);
        });
        return Marshal.PtrToStringUTF8(NativeApi.llama_print_system_info()) ?? "";
    }

    /// <summary>The LLamaSharp.Backend.Cpu build that was loaded: the name of its folder (avx512, avx2, avx, noavx).</summary>
    private static string NativeBuild()
    {
        string? library = LoadedModule("libllama");
        return library is null ? "unknown" : Path.GetFileName(Path.GetDirectoryName(library)) ?? "unknown";
    }

    private static string LLamaSharpVersion() =>
        typeof(Program).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .Cast<System.Reflection.AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "LLamaSharpVersion")?.Value ?? "unknown";

    private static string? LoadedModule(string name)
    {
        foreach (ProcessModule module in Process.GetCurrentProcess().Modules)
            if (module.ModuleName.StartsWith(name + ".", StringComparison.Ordinal))
                return module.FileName;
        return null;
    }

    private static void Decode(LLamaContext context, LLamaBatch batch, string path)
    {
        DecodeResult result = context.Decode(batch);
        if (result != DecodeResult.Ok)
            throw new InvalidOperationException($"llama.cpp decode of {batch.TokenCount} tokens failed with {result} ({path}).");
    }

    // Lowest id on ties, as `llamagen bench`.
    private static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
            if (values[i] > values[best])
                best = i;
        return best;
    }
}
