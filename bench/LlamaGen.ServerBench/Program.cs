using System.Diagnostics;
using System.Globalization;

namespace LlamaGen.ServerBench;

/// <summary>
/// Runs N streams at once against a server, for each N of --streams, and prints one row per N: aggregate generated
/// tokens/s, time to first token (p50, p95) and the gap between tokens (p50, p95), in milliseconds.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        string url = Option(args, "--url") ?? "http://127.0.0.1:8080/";
        int tokens = int.Parse(Option(args, "--tokens") ?? "64", CultureInfo.InvariantCulture);
        int[] streams = [.. (Option(args, "--streams") ?? "1,2,4,8,16").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))];
        string? apiKey = Option(args, "--api-key");
        using var http = new HttpClient { BaseAddress = new Uri(url.EndsWith('/') ? url : url + "/"), Timeout = TimeSpan.FromMinutes(30) };
        var client = new StreamingClient(http, apiKey);

        // One short request first, so start-up costs (JIT, page faults of the weights) are not in the first row.
        await client.RunAsync("Warm up.", 4, CancellationToken.None);
        Console.WriteLine($"server {url}, {tokens} tokens per stream, greedy, cache_prompt false");
        Console.WriteLine("streams | tok/s total | TTFT p50 ms | TTFT p95 ms | gap p50 ms | gap p95 ms");
        foreach (int n in streams)
        {
            var clock = Stopwatch.StartNew();
            StreamTiming[] runs = await Task.WhenAll(Enumerable.Range(0, n).Select(i => client.RunAsync($"Story number {i}: once upon a time", tokens, CancellationToken.None)));
            double seconds = clock.Elapsed.TotalSeconds;
            int generated = runs.Sum(r => r.Tokens);
            double[] ttft = [.. runs.Select(r => r.TimeToFirstToken.TotalMilliseconds)];
            double[] gaps = [.. runs.SelectMany(r => r.Gaps).Select(g => g.TotalMilliseconds)];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{n,7} | {generated / seconds,11:F1} | {Percentile(ttft, 0.5),11:F1} | {Percentile(ttft, 0.95),11:F1} | {Percentile(gaps, 0.5),10:F2} | {Percentile(gaps, 0.95),10:F2}"));
        }
        return 0;
    }

    private static string? Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    /// <summary>The nearest-rank percentile (0 for no values).</summary>
    private static double Percentile(double[] values, double p)
    {
        if (values.Length == 0) return 0;
        double[] sorted = [.. values.Order()];
        return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
    }
}
