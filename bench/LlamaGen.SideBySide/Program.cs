using System.CommandLine;
using System.Globalization;
using LlamaGen.Bench;
using LlamaGen.Cli;
using LlamaGen.Gguf;

namespace LlamaGen.SideBySide;

/// <summary>
/// <c>dotnet run -c Release --project bench/LlamaGen.SideBySide -- --model FILE [--model FILE2] --threads 1,2
/// --prompt 128 --gen 64 --runs 3 [--contended] [--write-results bench/RESULTS.md]</c>: LlamaGen and llama.cpp on the
/// same GGUF files, each run a process of its own, alternating; prints the markdown section of bench/RESULTS.md.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        var models = new Option<string[]>("--model", "-m") { Description = "GGUF file (repeatable)", Required = true, AllowMultipleArgumentsPerToken = false };
        var threads = new Option<string>("--threads", "-t") { Description = "Thread counts, comma-separated", DefaultValueFactory = _ => "1" };
        var prompt = new Option<int>("--prompt", "-p") { Description = "Prompt tokens (one batch)", DefaultValueFactory = _ => 128 };
        var gen = new Option<int>("--gen", "-n") { Description = "Generated tokens (one at a time)", DefaultValueFactory = _ => 64 };
        var runs = new Option<int>("--runs") { Description = "Processes per engine, model and thread count (medians over these)", DefaultValueFactory = _ => 3 };
        var reps = new Option<int>("--reps") { Description = "Repetitions inside each process", DefaultValueFactory = _ => 1 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the random prompt ids", DefaultValueFactory = _ => 1234 };
        var contended = new Option<bool>("--contended") { Description = "Keep `yes > /dev/null` running during the measurements" };
        var llamagen = new Option<string?>("--llamagen") { Description = "llamagen binary: the NativeAOT executable, or llamagen.dll (default: the Release build's dll)" };
        var llamacpp = new Option<string?>("--llamacpp") { Description = "LlamaGen.LlamaCppBench.dll (default: the Release build)" };
        var bandwidth = new Option<double?>("--bandwidth-gbs") { Description = "Read bandwidth in GB/s for the roofline (default: measured per thread count)" };
        var timeout = new Option<double>("--timeout-minutes") { Description = "Stop a run that takes longer", DefaultValueFactory = _ => 15 };
        var write = new Option<string?>("--write-results") { Description = "Markdown file whose section for --label is written or replaced (e.g. bench/RESULTS.md)" };
        var label = new Option<string>("--label") { Description = "Section name in the results file", DefaultValueFactory = _ => "latest" };

        var root = new RootCommand("LlamaGen against llama.cpp on the same GGUF files (build both first; see bench/RESULTS.md)")
        {
            models, threads, prompt, gen, runs, reps, seed, contended, llamagen, llamacpp, bandwidth, timeout, write, label,
        };
        ParseResult parse = root.Parse(args);
        // --help parses without errors but leaves the required --model unset, so it must be handled before any GetValue.
        if (parse.Action is System.CommandLine.Help.HelpAction) return parse.Invoke();
        if (parse.Errors.Count > 0)
        {
            Console.Error.WriteLine($"error: {parse.Errors[0].Message}");
            return 1;
        }
        if (parse.GetResult(models) is null)
            return parse.Invoke();

        try
        {
            string? repository = null;
            string Repository() => repository ??= FindRepository();
            var options = new SideBySideOptions
            {
                Models = parse.GetValue(models)!,
                Threads = ParseThreads(parse.GetValue(threads)!),
                PromptTokens = Positive(parse.GetValue(prompt), "--prompt"),
                GenTokens = Positive(parse.GetValue(gen), "--gen"),
                Runs = Positive(parse.GetValue(runs), "--runs"),
                RepsPerRun = Positive(parse.GetValue(reps), "--reps"),
                Seed = parse.GetValue(seed),
                Contended = parse.GetValue(contended),
                LlamaGen = new EngineCommand("llamagen",
                    parse.GetValue(llamagen) ?? Path.Combine(Repository(), "samples/LlamaGen.Cli/bin/Release/net10.0/llamagen.dll"), ["bench"]),
                LlamaCpp = new EngineCommand("llama.cpp",
                    parse.GetValue(llamacpp) ?? Path.Combine(Repository(), "bench/LlamaGen.LlamaCppBench/bin/Release/net10.0/LlamaGen.LlamaCppBench.dll"), []),
                BandwidthGBs = parse.GetValue(bandwidth),
                Timeout = TimeSpan.FromMinutes(parse.GetValue(timeout)),
                ResultsPath = parse.GetValue(write),
                Label = parse.GetValue(label)!,
                CommandLine = "dotnet run -c Release --project bench/LlamaGen.SideBySide -- " + string.Join(' ', args.Select(EngineCommand.Quote)),
            };
            return Run(options);
        }
        catch (SideBySideException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }

    private static int Run(SideBySideOptions options)
    {
        options.LlamaGen.RequireBuilt("dotnet build -c Release samples/LlamaGen.Cli (or pass the NativeAOT binary with --llamagen)");
        options.LlamaCpp.RequireBuilt("dotnet build -c Release bench/LlamaGen.LlamaCppBench");
        if (options.BandwidthGBs is <= 0)
            throw new SideBySideException($"--bandwidth-gbs must be > 0 (got {options.BandwidthGBs})");

        var weightBytes = new Dictionary<string, long>();
        foreach (string model in options.Models)
        {
            if (!File.Exists(model)) throw new SideBySideException($"model file '{model}' not found");
            try
            {
                using var file = GgufFile.Open(model);
                weightBytes[model] = MemoryBandwidthCommand.WeightBytesPerToken(file);
            }
            catch (GgufFormatException e)
            {
                throw new SideBySideException($"{model}: {e.Message}");
            }
        }

        TextWriter log = Console.Error;
        // Measured before any benchmark process or competing load runs: the machine's own capability.
        var bandwidth = new Dictionary<int, double>();
        foreach (int t in options.Threads)
        {
            if (options.BandwidthGBs is double given)
            {
                bandwidth[t] = given * 1e9;
                continue;
            }
            bandwidth[t] = MemoryBandwidth.MeasureReadBytesPerSecond(t);
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"read bandwidth, {t} thread(s): {bandwidth[t] / 1e9:F2} GB/s"));
        }

        var machine = MachineDescription.Current();
        string loadBefore = MachineDescription.LoadAverage();
        DateTimeOffset started = DateTimeOffset.UtcNow;
        var comparisons = new List<Comparison>();
        var exampleRuns = new List<string>();
        string? contentionNote = null;
        CompetingLoad? load = options.Contended ? CompetingLoad.Start() : null;
        try
        {
            if (load is not null)
            {
                contentionNote = "contended: `yes > /dev/null` kept one core busy throughout the runs";
                log.WriteLine($"competing load: yes > /dev/null (pid {load.ProcessId})");
            }
            foreach (string model in options.Models)
            {
                foreach (int t in options.Threads)
                {
                    var comparison = new Comparison(model, t, weightBytes[model], bandwidth[t]);
                    string[] arguments =
                    [
                        "--model", model, "--threads", Invariant(t), "--prompt", Invariant(options.PromptTokens),
                        "--gen", Invariant(options.GenTokens), "--reps", Invariant(options.RepsPerRun), "--seed", Invariant(options.Seed), "--json",
                    ];
                    if (exampleRuns.Count == 0)
                        exampleRuns.AddRange([options.LlamaGen.Describe(arguments), options.LlamaCpp.Describe(arguments)]);
                    for (int run = 1; run <= options.Runs; run++)
                    {
                        // Alternating, so a drift of the machine (page cache, thermal, neighbours) falls on both engines.
                        log.WriteLine($"{Path.GetFileName(model)}, {t} thread(s), run {run}/{options.Runs}: llamagen");
                        comparison.LlamaGen.Add(options.LlamaGen.Run(arguments, options.Timeout, log));
                        log.WriteLine($"{Path.GetFileName(model)}, {t} thread(s), run {run}/{options.Runs}: llama.cpp");
                        comparison.LlamaCpp.Add(options.LlamaCpp.Run(arguments, options.Timeout, log));
                        CheckSamePrompt(comparison, model);
                    }
                    comparisons.Add(comparison);
                }
            }
        }
        finally
        {
            load?.Dispose();
        }

        string section = ResultsMarkdown.Render(options, machine, comparisons, started, contentionNote, exampleRuns,
            loadBefore, MachineDescription.LoadAverage());
        Console.Out.Write(section);
        if (options.ResultsPath is not null)
        {
            ResultsMarkdown.Update(options.ResultsPath, options.Label, section);
            log.WriteLine($"wrote section '{options.Label}' of {options.ResultsPath}");
        }
        return 0;
    }

    private static void CheckSamePrompt(Comparison comparison, string model)
    {
        string a = comparison.LlamaGen[^1].PromptFingerprint, b = comparison.LlamaCpp[^1].PromptFingerprint;
        if (a != b)
            throw new SideBySideException($"{model}: the engines decoded different prompts (fingerprints {a} and {b}); both must build BenchPrompt from the same source");
    }

    private static IReadOnlyList<int> ParseThreads(string text)
    {
        var counts = new List<int>();
        foreach (string part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) || n < 1)
                throw new SideBySideException($"--threads: '{part}' is not a thread count >= 1 (expected e.g. 1,2)");
            counts.Add(n);
        }
        if (counts.Count == 0) throw new SideBySideException("--threads: no thread count given (expected e.g. 1,2)");
        return counts;
    }

    private static int Positive(int value, string option) =>
        value >= 1 ? value : throw new SideBySideException($"{option} must be >= 1 (got {value})");

    private static string Invariant<T>(T value) where T : IFormattable => value.ToString(null, CultureInfo.InvariantCulture);

    /// <summary>The checkout the default binary paths are relative to: the nearest folder up holding LlamaGen.sln.</summary>
    private static string FindRepository()
    {
        for (var directory = new DirectoryInfo(Environment.CurrentDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "LlamaGen.sln")))
                return directory.FullName;
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "LlamaGen.sln")))
                return directory.FullName;
        throw new SideBySideException("cannot find LlamaGen.sln above the current folder; run from the checkout or pass --llamagen and --llamacpp");
    }
}
