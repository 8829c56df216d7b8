using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using LlamaGen.Gguf;
using LlamaGen.Sampling;
using LlamaGen.Compute;
using LlamaGen.Kernels;
using LlamaGen.Models;
using LlamaGen.Sequences;
using LlamaGen.Threading;

namespace LlamaGen.Cli;

/// <summary>
/// <c>llamagen bench</c>: times prompt processing and generation on a GGUF file the way llama-bench does (random
/// prompt ids, the prompt as one batch, then single-token decodes), reports the medians over repetitions.
/// bench/LlamaGen.SideBySide runs this and bench/LlamaGen.LlamaCppBench on the same file and compares them.
/// </summary>
internal static class BenchCommand
{
    public const int DefaultPromptTokens = 128;
    public const int DefaultGenTokens = 64;
    public const int DefaultReps = 3;


    public static Command Create(CliContext context)
    {
        var model = new Option<string>("--model", "-m") { Description = "GGUF model file", Required = true };
        var threads = new Option<int>("--threads", "-t")
        {
            Description = "Threads to compute with (default: one per processor, as llama-bench)",
            DefaultValueFactory = _ => Environment.ProcessorCount,
        };
        var prompt = new Option<int>("--prompt", "-p") { Description = "Prompt length in tokens (random ids, one batch)", DefaultValueFactory = _ => DefaultPromptTokens };
        var gen = new Option<int>("--gen", "-n") { Description = "Tokens to generate one at a time after the prompt", DefaultValueFactory = _ => DefaultGenTokens };
        var reps = new Option<int>("--reps", "-r") { Description = "Repetitions; the medians are reported", DefaultValueFactory = _ => DefaultReps };
        var seed = new Option<ulong>("--seed", "-s") { Description = "Seed of the random prompt ids", DefaultValueFactory = _ => BenchPrompt.DefaultSeed };
        var kvType = KvCacheOption.Create();
        var isa = IsaOption.Create();
        var noCache = WeightCacheOption.Create();
        var json = new Option<bool>("--json") { Description = "Print one JSON object (medians, every repetition, load time, peak RSS) to stdout" };

        var command = new Command("bench", "Time prompt processing and generation (tokens/s, medians over repetitions)")
        {
            model, threads, prompt, gen, reps, seed, kvType, isa, noCache, json,
        };
        command.SetAction(parse =>
        {
            var settings = new Settings(
                parse.GetValue(model)!, parse.GetValue(threads), parse.GetValue(prompt), parse.GetValue(gen),
                parse.GetValue(reps), parse.GetValue(seed), KvCacheOption.Parse(parse.GetValue(kvType)), IsaOption.Parse(parse.GetValue(isa)),
                WeightCacheOption.Mode(parse.GetValue(noCache)));
            if (settings.Threads < 1) throw new CliException($"--threads must be >= 1 (got {settings.Threads})");
            if (settings.PromptTokens < 1) throw new CliException($"--prompt must be >= 1 token (got {settings.PromptTokens})");
            if (settings.GenTokens < 1) throw new CliException($"--gen must be >= 1 token (got {settings.GenTokens})");
            if (settings.Reps < 1) throw new CliException($"--reps must be >= 1 (got {settings.Reps})");

            BenchReport? report = Run(context, settings);
            if (report is null)
                return Program.Cancelled;
            if (parse.GetValue(json))
                context.Stdout.WriteLine(BenchReportJson.Serialize(report));
            else
                WriteTable(context.Stdout, report);
            return 0;
        });
        return command;
    }

    private sealed record Settings(string ModelPath, int Threads, int PromptTokens, int GenTokens, int Reps, ulong Seed, KvCacheType KvCacheType = KvCacheType.F32, KernelIsa? Isa = null,
        WeightCacheMode WeightCache = WeightCacheMode.BesideModel);

    /// <summary>Runs the benchmark; null when Ctrl+C stopped it.</summary>
    private static BenchReport? Run(CliContext context, Settings settings)
    {
        TextWriter progress = context.Stderr;
        long loadStart = Stopwatch.GetTimestamp();
        using GgufFile file = ModelFiles.Open(settings.ModelPath);
        ModelDescriptor descriptor = ModelFiles.Match(file);
        // Declared before the model, so it is disposed after it.
        using WorkerPool? pool = settings.Threads > 1 ? new WorkerPool(settings.Threads) : null;
        using ILlamaModel model = descriptor.Load(file, new ModelLoadOptions
        {
            KvCacheType = settings.KvCacheType, Isa = settings.Isa, WeightCache = settings.WeightCache,
            WeightCacheObserver = WeightCacheOption.Reporter(context.Stderr, verbose: false),
        });
        double loadMs = Stopwatch.GetElapsedTime(loadStart).TotalMilliseconds;

        ModelShape shape = model.Shape;
        if (settings.PromptTokens + settings.GenTokens > shape.ContextLength)
            throw new CliException(
                $"--prompt {settings.PromptTokens} + --gen {settings.GenTokens} exceeds the context length of {descriptor.TypeName} ({shape.ContextLength} positions)");

        int[] promptIds = BenchPrompt.Create(file, settings.PromptTokens, settings.Seed);
        var logits = new float[shape.VocabSize];
        // Greedy through the real sampler (lowest id on ties), as `generate --temperature 0` picks tokens.
        var sampler = new Sampler(SamplerOptions.Greedy, shape.VocabSize);
        using var decoder = new SequenceDecoder(model, pool: pool);

        // Warm-up, untimed in the rates: the first decode after a load pages in every weight from the mapping.
        long warmupStart = Stopwatch.GetTimestamp();
        decoder.Forward(promptIds[0], 0, logits);
        double warmupMs = Stopwatch.GetElapsedTime(warmupStart).TotalMilliseconds;
        progress.WriteLine(FormattableString.Invariant(
            $"bench: {descriptor.TypeName}, kernels {model.Isa}, load {loadMs:F1} ms, warm-up token {warmupMs:F1} ms"));

        var ppMs = new double[settings.Reps];
        var tgMs = new double[settings.Reps];
        int[] generated = new int[settings.GenTokens];
        int[] firstGenerated = [];
        for (int rep = 0; rep < settings.Reps; rep++)
        {
            // Each repetition starts again at position 0 (the sequence rewinds), as llama.cpp clears its cache.
            long start = Stopwatch.GetTimestamp();
            decoder.ForwardPrompt(promptIds, 0, logits);
            ppMs[rep] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;

            start = Stopwatch.GetTimestamp();
            int position = settings.PromptTokens;
            for (int i = 0; i < settings.GenTokens; i++)
            {
                if (context.Cancellation.IsCancellationRequested)
                    return null;
                int next = sampler.Sample(logits, []);
                generated[i] = next;
                decoder.Forward(next, position++, logits);
            }
            tgMs[rep] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (rep == 0) firstGenerated = (int[])generated.Clone();

            progress.WriteLine(FormattableString.Invariant(
                $"bench: rep {rep + 1}/{settings.Reps}: pp{settings.PromptTokens} {Rate(settings.PromptTokens, ppMs[rep]):F2} t/s, tg{settings.GenTokens} {Rate(settings.GenTokens, tgMs[rep]):F2} t/s"));
            if (context.Cancellation.IsCancellationRequested)
                return null;
        }

        double[] ppRates = ppMs.Select(ms => Rate(settings.PromptTokens, ms)).ToArray();
        double[] tgRates = tgMs.Select(ms => Rate(settings.GenTokens, ms)).ToArray();
        return new BenchReport
        {
            Engine = "llamagen",
            EngineVersion = typeof(BenchCommand).Assembly.GetName().Version?.ToString() ?? "unknown",
            Model = settings.ModelPath,
            ModelBytes = file.FileLength,
            ModelName = descriptor.TypeName,
            ThreadsRequested = settings.Threads,
            ThreadsUsed = settings.Threads,
            PromptTokens = settings.PromptTokens,
            GenTokens = settings.GenTokens,
            Reps = settings.Reps,
            Seed = settings.Seed,
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
            Isa = model.Isa.ToString(),
            Notes = [],
        };
    }

    private static double Rate(int tokens, double milliseconds) => tokens * 1000.0 / milliseconds;


    private static void WriteTable(TextWriter output, BenchReport r)
    {
        var c = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(c, $"model: {r.Model} ({r.ModelName}, {r.ModelBytes / 1e9:F2} GB)"));
        output.WriteLine(string.Create(c, $"kernels: {r.Isa}; threads: {r.ThreadsRequested} requested, {r.ThreadsUsed} used"));
        foreach (string note in r.Notes)
            output.WriteLine($"note: {note}");
        output.WriteLine(string.Create(c, $"load: {r.LoadMs:F1} ms; warm-up token: {r.WarmupMs:F1} ms"));
        output.WriteLine();
        output.WriteLine($"{"test",-8} {"t/s (median)",14}  runs (t/s)");
        output.WriteLine(string.Create(c, $"{"pp" + r.PromptTokens,-8} {r.PpTokensPerS,14:F2}  {string.Join(' ', r.PpTokensPerSRuns.Select(v => v.ToString("F2", c)))}"));
        output.WriteLine(string.Create(c, $"{"tg" + r.GenTokens,-8} {r.TgTokensPerS,14:F2}  {string.Join(' ', r.TgTokensPerSRuns.Select(v => v.ToString("F2", c)))}"));
        output.WriteLine();
        output.WriteLine(r.PeakRssBytes is long rss ? string.Create(c, $"peak RSS: {rss / (1024.0 * 1024.0):F1} MiB") : "peak RSS: unknown (no /proc/self/status)");
    }
}
