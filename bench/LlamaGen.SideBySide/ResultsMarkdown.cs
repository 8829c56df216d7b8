using System.Globalization;
using System.Text;
using LlamaGen.Cli;

namespace LlamaGen.SideBySide;

/// <summary>
/// The markdown the runner prints and keeps in bench/RESULTS.md: one section per label (replaced when the same label
/// is run again, so "baseline" and later runs sit side by side), between comment markers that say where it starts and ends.
/// </summary>
internal static class ResultsMarkdown
{
    private const string FileHeader = """
        # Benchmarks: LlamaGen against llama.cpp

        Written by `bench/LlamaGen.SideBySide` (each section below by one run of it; the command is in the section).
        LlamaGen runs as `llamagen bench`, llama.cpp as `bench/LlamaGen.LlamaCppBench` (LLamaSharp with its CPU
        backend), each in a process of its own, alternating. Both decode the same random prompt ids (checked by their
        fingerprint) as one batch, then generate greedily one token at a time; the KV cache starts empty in each
        repetition. Ratios are LlamaGen / llama.cpp: above 1 means LlamaGen is faster (or, for load time and memory,
        larger). The generation roofline is the measured memory read bandwidth divided by the bytes of weights a
        token reads.

        Build first, then run (the runner builds nothing):

        ```
        dotnet build -c Release samples/LlamaGen.Cli
        dotnet build -c Release bench/LlamaGen.LlamaCppBench
        dotnet run -c Release --project bench/LlamaGen.SideBySide -- --model FILE --threads 1,2 --runs 3 --write-results bench/RESULTS.md
        ```

        Random-weight models of real shapes come from `llamagen synth --spec specs/llama2-7b.json --type q4_0 --output FILE`.

        """;

    private static string Begin(string label) => $"<!-- side-by-side: BEGIN {label} -->";
    private static string End(string label) => $"<!-- side-by-side: END {label} -->";

    public static string Render(SideBySideOptions options, MachineDescription machine, IReadOnlyList<Comparison> comparisons,
        DateTimeOffset started, string? contentionNote, IReadOnlyList<string> exampleRuns, string loadBefore, string loadAfter)
    {
        // The project builds with InvariantGlobalization: every interpolation below formats with the invariant culture.
        var c = CultureInfo.InvariantCulture;
        var s = new StringBuilder();
        void Line(string text) => s.Append(text).Append('\n');

        BenchReport anyLlamaGen = comparisons[0].LlamaGen[0], anyLlamaCpp = comparisons[0].LlamaCpp[0];
        Line($"{Begin(options.Label)}");
        Line($"## {options.Label} ({started.UtcDateTime:yyyy-MM-dd HH:mm} UTC)");
        Line($"");
        Line($"**Machine:** {machine.Cpu}, {machine.LogicalCores} logical cores ({machine.CpuFeatures}), {machine.Memory} memory; {machine.OperatingSystem}; {machine.DotNet}; " +
             $"{anyLlamaCpp.EngineVersion} with llama.cpp's `{anyLlamaCpp.Isa}` build; LlamaGen {anyLlamaGen.EngineVersion} with `{anyLlamaGen.Isa}` kernels.");
        Line($"");
        Line($"**Conditions:** {contentionNote ?? "no competing load"}. Prompt of {options.PromptTokens} random token ids (seed {options.Seed}, fingerprint `{anyLlamaGen.PromptFingerprint}`), " +
             $"then {options.GenTokens} tokens generated greedily; {options.Runs} runs (processes) per engine and thread count, alternating LlamaGen, llama.cpp, LlamaGen, ...; " +
             $"{options.RepsPerRun} repetition(s) per run after a one-token warm-up. Figures are medians over the runs. " +
             $"Load average (1, 5, 15 min) before the runs: {loadBefore}; after: {loadAfter}.");
        Line($"");
        Line($"**Command:**");
        Line($"");
        Line($"```");
        Line($"{options.CommandLine}");
        Line($"```");
        Line($"");
        Line($"Each run (first model and thread count shown):");
        Line($"");
        Line($"```");
        foreach (string run in exampleRuns) Line($"{run}");
        Line($"```");
        Line($"");

        string pp = "pp" + options.PromptTokens, tg = "tg" + options.GenTokens;
        Line($"### Throughput (tokens/s)");
        Line($"");
        Line($"| model | threads | {pp} LlamaGen | {pp} llama.cpp | {pp} ratio | {tg} LlamaGen | {tg} llama.cpp | {tg} ratio |");
        Line($"| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var x in comparisons)
        {
            double ppA = x.Pp(x.LlamaGen), ppB = x.Pp(x.LlamaCpp), tgA = x.Tg(x.LlamaGen), tgB = x.Tg(x.LlamaCpp);
            Line($"| {Name(x.Model)} | {x.Threads} | {Rate(ppA)} | {Rate(ppB)} | {ppA / ppB:F3} | {Rate(tgA)} | {Rate(tgB)} | {tgA / tgB:F3} |");
        }
        Line($"");

        Line($"### Load time and memory");
        Line($"");
        Line($"Load: opening the file to a model ready to decode. Ready: load plus the first decoded token (llama.cpp reads the " +
             $"mapped weights in while loading, LlamaGen on first use, so only this sum compares like with like). Peak RSS: the " +
             $"benchmark process's VmHWM, mapped weight pages included.");
        Line($"");
        Line($"| model | threads | load LlamaGen (ms) | load llama.cpp (ms) | ready LlamaGen (ms) | ready llama.cpp (ms) | ready ratio | peak RSS LlamaGen (MiB) | peak RSS llama.cpp (MiB) | RSS ratio |");
        Line($"| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var x in comparisons)
        {
            double readyA = x.Ready(x.LlamaGen), readyB = x.Ready(x.LlamaCpp);
            double? rssA = Comparison.MedianPeakRss(x.LlamaGen), rssB = Comparison.MedianPeakRss(x.LlamaCpp);
            Line($"| {Name(x.Model)} | {x.Threads} | {x.Load(x.LlamaGen):F1} | {x.Load(x.LlamaCpp):F1} | {readyA:F1} | {readyB:F1} | {readyA / readyB:F3} | " +
                 $"{MiB(rssA)} | {MiB(rssB)} | {(rssA / rssB)?.ToString("F3", c) ?? "n/a"} |");
        }
        Line($"");

        Line($"### Generation roofline");
        Line($"");
        Line($"Weights read per token: every tensor's bytes, but only one row of the token embedding (unless it is also the " +
             $"classifier). Bandwidth: sequential read bandwidth at that many threads, measured by `bench/LlamaGen.Bench` " +
             $"({(options.BandwidthGBs is null ? "measured by this run, before any competing load" : "given on the command line")}). " +
             $"Roofline = bandwidth / bytes per token.");
        Line($"");
        Line($"| model | weights per token (MB) | threads | read bandwidth (GB/s) | roofline {tg} (t/s) | LlamaGen {tg} (fraction) | llama.cpp {tg} (fraction) |");
        Line($"| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var x in comparisons)
        {
            Line($"| {Name(x.Model)} | {x.WeightBytesPerToken / 1e6:F1} | {x.Threads} | {(x.BandwidthBytesPerSecond / 1e9)?.ToString("F2", c) ?? "n/a"} | " +
                 $"{x.RooflineTokensPerS?.ToString("F2", c) ?? "n/a"} | {Rate(x.Tg(x.LlamaGen))} ({Fraction(x.RooflineFraction(x.LlamaGen))}) | " +
                 $"{Rate(x.Tg(x.LlamaCpp))} ({Fraction(x.RooflineFraction(x.LlamaCpp))}) |");
        }
        Line($"");

        Line($"### Notes");
        Line($"");
        foreach (string note in comparisons.SelectMany(x => x.LlamaGen.Concat(x.LlamaCpp)).SelectMany(r => r.Notes.Select(n => $"{r.Engine}: {n}")).Distinct())
            Line($"- {note}");
        foreach (var x in comparisons)
        {
            var (agreeing, total) = x.GreedyAgreement();
            Line($"- {Name(x.Model)}, {x.Threads} thread(s): the greedy ids of the two engines agree for {agreeing} of {total} tokens" +
                 $"{(agreeing < total ? " (after the first difference the sequences go on from different tokens; rounding differs between the engines' kernels)" : "")}.");
        }
        Line($"");

        Line($"<details><summary>Every run</summary>");
        Line($"");
        Line($"| model | threads | run | engine | {pp} (t/s) | {tg} (t/s) | load (ms) | warm-up token (ms) | peak RSS (MiB) |");
        Line($"| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |");
        foreach (var x in comparisons)
        {
            for (int i = 0; i < x.LlamaGen.Count; i++)
            {
                foreach (var r in new[] { x.LlamaGen[i], x.LlamaCpp[i] })
                    Line($"| {Name(x.Model)} | {x.Threads} | {i + 1} | {r.Engine} | {Rate(r.PpTokensPerS)} | {Rate(r.TgTokensPerS)} | {r.LoadMs:F1} | {r.WarmupMs:F1} | {MiB(r.PeakRssBytes)} |");
            }
        }
        Line($"");
        Line($"</details>");
        Line($"{End(options.Label)}");
        return s.ToString();
    }

    /// <summary>Replaces the section with the same label in <paramref name="path"/>, or appends it (creating the file).</summary>
    public static void Update(string path, string label, string section)
    {
        string text = File.Exists(path) ? File.ReadAllText(path).Replace("\r\n", "\n") : FileHeader;
        string begin = Begin(label), end = End(label);
        int start = text.IndexOf(begin, StringComparison.Ordinal);
        if (start >= 0)
        {
            int stop = text.IndexOf(end, start, StringComparison.Ordinal);
            if (stop < 0)
                throw new SideBySideException($"{path}: '{begin}' has no matching '{end}'; fix the file by hand");
            text = text[..start] + section.TrimEnd('\n') + text[(stop + end.Length)..];
        }
        else
        {
            text = text.TrimEnd('\n') + "\n\n" + section;
        }
        File.WriteAllText(path, text.TrimEnd('\n') + "\n");
    }

    private static string Name(string model) => "`" + Path.GetFileName(model) + "`";

    private static string Rate(double tokensPerSecond) =>
        tokensPerSecond.ToString(tokensPerSecond >= 100 ? "F1" : "F2", CultureInfo.InvariantCulture);

    private static string MiB(double? bytes) => bytes is double b ? (b / (1024.0 * 1024.0)).ToString("F1", CultureInfo.InvariantCulture) : "n/a";

    private static string Fraction(double? fraction) => fraction is double f ? f.ToString("P1", CultureInfo.InvariantCulture) : "n/a";
}
