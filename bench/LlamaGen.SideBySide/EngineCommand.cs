using System.Diagnostics;
using System.Text;
using System.Text.Json;
using LlamaGen.Cli;

namespace LlamaGen.SideBySide;

/// <summary>
/// How to start one engine's benchmark process: a native executable, or a framework-dependent <c>.dll</c> run with
/// <c>dotnet</c>; <see cref="LeadingArguments"/> come before the shared benchmark options (e.g. <c>bench</c>).
/// </summary>
internal sealed record EngineCommand(string Name, string Path, IReadOnlyList<string> LeadingArguments)
{
    private static readonly string DotnetHost = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    /// <summary>Fails early, naming the build command, when the benchmark binary is missing.</summary>
    public void RequireBuilt(string buildHint)
    {
        if (!File.Exists(Path))
            throw new SideBySideException($"{Name}: '{Path}' not found; build it first: {buildHint}");
    }

    /// <summary>The command line of one run, as a shell would take it (for RESULTS.md).</summary>
    public string Describe(IReadOnlyList<string> arguments)
    {
        ProcessStartInfo start = StartInfo(arguments);
        string environment = start.Environment.TryGetValue("DOTNET_TieredCompilation", out string? tiered) && tiered is not null
            ? $"DOTNET_TieredCompilation={tiered} " : "";
        return environment + string.Join(' ', start.ArgumentList.Prepend(start.FileName).Select(Quote));
    }

    /// <summary>
    /// Runs one benchmark process with <c>--json</c>, relays its stderr (progress) with the engine's name in front, and
    /// returns the report it printed. A process that fails, prints no report, or outlives <paramref name="timeout"/>
    /// (it is then killed) is an error naming the engine, the command and the reason.
    /// </summary>
    public BenchReport Run(IReadOnlyList<string> arguments, TimeSpan timeout, TextWriter log)
    {
        ProcessStartInfo start = StartInfo(arguments);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        start.StandardOutputEncoding = Encoding.UTF8;
        start.StandardErrorEncoding = Encoding.UTF8;

        var stdout = new StringBuilder();
        var stderrTail = new Queue<string>();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (stdout) stdout.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (stderrTail)
            {
                stderrTail.Enqueue(e.Data);
                if (stderrTail.Count > 20) stderrTail.Dequeue();
            }
            lock (log) log.WriteLine($"  [{Name}] {e.Data}");
        };

        if (!process.Start())
            throw new SideBySideException($"{Name}: could not start '{start.FileName}'");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout))
        {
            // Only this child (and anything it started) is ended, by its own process id.
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw new SideBySideException(
                $"{Name}: one run exceeded {timeout.TotalMinutes:F0} minutes and was stopped; try a shorter --prompt/--gen ({Describe(arguments)})");
        }
        process.WaitForExit(); // drains the asynchronous readers

        string output;
        lock (stdout) output = stdout.ToString();
        if (process.ExitCode != 0)
        {
            string tail;
            lock (stderrTail) tail = string.Join(" | ", stderrTail);
            throw new SideBySideException($"{Name}: exit code {process.ExitCode} from {Describe(arguments)}: {tail}");
        }

        string? json = output.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.StartsWith('{'));
        if (json is null)
            throw new SideBySideException($"{Name}: no JSON report on stdout from {Describe(arguments)}");
        try
        {
            return JsonSerializer.Deserialize(json, BenchJsonContext.Default.BenchReport)
                ?? throw new SideBySideException($"{Name}: the report is JSON null");
        }
        catch (JsonException e)
        {
            throw new SideBySideException($"{Name}: unreadable report ({e.Message}): {json}");
        }
    }

    private ProcessStartInfo StartInfo(IReadOnlyList<string> arguments)
    {
        bool managed = Path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);
        var start = new ProcessStartInfo(managed ? DotnetHost : Path);
        if (managed)
        {
            start.ArgumentList.Add(Path);
            // Fully optimising JIT from the first call: the first repetition then runs the code every later one does
            // (as in the NativeAOT binary) instead of tier-0 code; a run of one repetition would measure the JIT otherwise.
            start.Environment["DOTNET_TieredCompilation"] = "0";
        }
        foreach (string argument in LeadingArguments.Concat(arguments))
            start.ArgumentList.Add(argument);
        return start;
    }

    /// <summary>Quotes an argument for a POSIX shell when it needs it.</summary>
    public static string Quote(string argument) =>
        argument.Length > 0 && argument.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=,:+".Contains(c)) ? argument : "'" + argument.Replace("'", "'\\''") + "'";
}
