using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using LlamaGen.BatchedBench;
using LlamaGen.SideBySide;

// dotnet run -c Release --project bench/LlamaGen.BatchedBench -- batched --model M [--threads 2] [--streams 1,2,4,8,16] [--prompt 32] [--steps 32] [--runs 3]
// dotnet run -c Release --project bench/LlamaGen.BatchedBench -- turns --model M [--threads 2] [--reply 16] [--runs 3]
// Each measurement runs in a process of its own (this program, "worker ..."), the engines alternating; the medians are
// printed as the Markdown of bench/RESULTS.md.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
string Option(string name, string fallback)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}
string mode = args.Length > 0 ? args[0] : "";
string model = Option("--model", "");
int threads = int.Parse(Option("--threads", "2"));
if (mode != "worker" && !File.Exists(model))
{
    Console.Error.WriteLine($"error: --model '{model}' not found. Usage: batched|turns --model M [--threads 2] ...");
    return 1;
}

switch (mode)
{
    case "worker":
    {
        string engine = Option("--engine", "llamagen");
        if (engine == "turns")
        {
            var (with, without) = ConversationReuse.Run(model, threads, int.Parse(Option("--reply", "16")));
            Console.WriteLine(JsonSerializer.Serialize(new[] { with, without }));
            return 0;
        }
        int[] streams = [.. Option("--streams", "1,2,4,8,16").Split(',').Select(int.Parse)];
        int prompt = int.Parse(Option("--prompt", "32")), steps = int.Parse(Option("--steps", "32"));
        BatchedRun run = engine == "llamacpp"
            ? LlamaCppBatched.Run(model, threads, streams, prompt, steps, 1234)
            : LlamaGenBatched.Run(model, threads, streams, prompt, steps, 1234);
        Console.WriteLine(JsonSerializer.Serialize(run));
        return 0;
    }
    case "batched":
    {
        int runs = int.Parse(Option("--runs", "3"));
        string streams = Option("--streams", "1,2,4,8,16");
        string[] common = ["--model", model, "--threads", threads.ToString(), "--streams", streams, "--prompt", Option("--prompt", "32"), "--steps", Option("--steps", "32")];
        var results = new Dictionary<string, List<BatchedRun>> { ["llamagen"] = [], ["llamacpp"] = [] };
        string load = LoadAverage();
        for (int r = 0; r < runs; r++)
        {
            // Alternate which engine goes first, so drift over the run hurts neither more.
            string[] order = r % 2 == 0 ? ["llamagen", "llamacpp"] : ["llamacpp", "llamagen"];
            foreach (string engine in order)
                results[engine].Add(JsonSerializer.Deserialize<BatchedRun>(Worker([.. common, "--engine", engine]))!);
        }
        int[] counts = [.. streams.Split(',').Select(int.Parse)];
        double Median(string engine, int n) => MedianOf(results[engine].Select(run => run.TokensPerSecond(n)));
        var text = new StringBuilder();
        text.AppendLine(Machine());
        text.AppendLine($"load average before: {load}, after: {LoadAverage()}; {runs} processes per engine, alternating; medians.");
        text.AppendLine($"Each stream: a {common[7]}-token random prompt (not timed), then {common[9]} greedy decode steps, one token per stream per step; {threads} threads.");
        text.AppendLine();
        text.AppendLine("| streams | LlamaGen tokens/s | vs 1 stream | llama.cpp tokens/s | vs 1 stream | LlamaGen / llama.cpp |");
        text.AppendLine("| ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (int n in counts)
        {
            double ours = Median("llamagen", n), theirs = Median("llamacpp", n);
            text.AppendLine($"| {n} | {ours:F2} | {ours / Median("llamagen", counts[0]):F2}x | {theirs:F2} | {theirs / Median("llamacpp", counts[0]):F2}x | {ours / theirs:F2} |");
        }
        text.AppendLine();
        text.AppendLine($"Peak RSS (median): LlamaGen {MedianOf(results["llamagen"].Select(x => (double)(x.PeakRssBytes ?? 0))) / (1 << 20):F0} MiB, llama.cpp {MedianOf(results["llamacpp"].Select(x => (double)(x.PeakRssBytes ?? 0))) / (1 << 20):F0} MiB.");
        Console.WriteLine(text);
        return 0;
    }
    case "turns":
    {
        int runs = int.Parse(Option("--runs", "3"));
        var all = new List<ConversationReuse.Turn[]>();
        string load = LoadAverage();
        for (int r = 0; r < runs; r++)
            all.Add(JsonSerializer.Deserialize<ConversationReuse.Turn[]>(Worker(["--model", model, "--threads", threads.ToString(), "--engine", "turns", "--reply", Option("--reply", "16")]))!);
        var text = new StringBuilder();
        text.AppendLine(Machine());
        text.AppendLine($"load average before: {load}, after: {LoadAverage()}; {runs} processes; medians.");
        text.AppendLine();
        text.AppendLine("| turn 10 | prompt tokens | evaluated | first reply token | whole reply | reply tokens |");
        text.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: |");
        for (int m = 0; m < 2; m++)
        {
            ConversationReuse.Turn t = all[0][m];
            text.AppendLine($"| {t.Mode} | {t.PromptTokens} | {t.EvaluatedTokens} | {MedianOf(all.Select(a => a[m].FirstTokenSeconds)):F2} s | {MedianOf(all.Select(a => a[m].TotalSeconds)):F2} s | {t.ReplyTokens} |");
        }
        double saving = MedianOf(all.Select(a => a[1].FirstTokenSeconds)) / MedianOf(all.Select(a => a[0].FirstTokenSeconds));
        text.AppendLine();
        text.AppendLine($"Time to the first reply token without reuse / with reuse: {saving:F1}x.");
        Console.WriteLine(text);
        return 0;
    }
    default:
        Console.Error.WriteLine("usage: batched|turns --model M [--threads N] ...");
        return 1;
}

static string Worker(string[] arguments)
{
    var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true };
    start.ArgumentList.Add(typeof(BatchedRun).Assembly.Location);
    start.ArgumentList.Add("worker");
    foreach (string a in arguments) start.ArgumentList.Add(a);
    using var process = Process.Start(start)!;
    string output = process.StandardOutput.ReadToEnd();
    process.WaitForExit();
    if (process.ExitCode != 0) throw new InvalidOperationException($"worker {string.Join(' ', arguments)} exited with {process.ExitCode}");
    return output;
}

static double MedianOf(IEnumerable<double> values)
{
    double[] sorted = [.. values.Order()];
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
}

static string LoadAverage() => MachineDescription.LoadAverage();

static string Machine()
{
    var m = MachineDescription.Current();
    return $"Machine: {m.Cpu}, {m.LogicalCores} logical cores, {m.Memory}, {m.OperatingSystem}, {m.DotNet}; CPU features: {m.CpuFeatures}.";
}
