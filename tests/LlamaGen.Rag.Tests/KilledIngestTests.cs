using System.Diagnostics;
using LlamaGen.Rag.Storage;
using LlamaGen.Rag.TestDoubles;
using LlamaGen.Rag.Tests.Support;

namespace LlamaGen.Rag.Tests;

/// <summary>
/// Starts <c>llamagen-rag ingest</c> as its own process (the test host: the real command with the test-double model,
/// slowed per batch), kills it with SIGKILL mid-run, checks the store is consistent, and runs it again to completion.
/// </summary>
public sealed class KilledIngestTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task An_ingest_killed_mid_run_leaves_a_consistent_store_and_the_next_run_completes_it()
    {
        string corpus = _temp.CopyCorpus();
        string store = _temp["rag.db"];

        using (var ingest = StartIngest(store, corpus, delayMilliseconds: 150))
        {
            // Wait for some committed batches, then kill without warning (no Ctrl+C, no finally blocks).
            long committed = await WaitForPassagesAsync(store, atLeast: 12, () => ingest.HasExited);
            if (ingest.HasExited)
                Assert.Fail($"the ingest ended before it could be killed (exit {ingest.ExitCode}): {await ingest.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken)}");
            Assert.True(committed >= 12, $"only {committed} passages committed within 60 s");
            ingest.Kill(entireProcessTree: true);
            await ingest.WaitForExitAsync(TestContext.Current.CancellationToken);
        }

        int interruptedPassages;
        using (var killed = RagStore.Open(store, readOnly: false))
        {
            var problems = killed.CheckConsistency();
            Assert.True(problems.Count == 0, string.Join("\n", problems));
            var files = killed.ListFiles();
            interruptedPassages = IngestHarness.Passages(store).Count;
            Assert.Contains(files, f => f.State == IngestedFileState.Complete);
            Assert.True(files.Count(f => f.State == IngestedFileState.Complete) < 30, "the ingest finished before it was killed: make it slower");
        }

        using (var again = StartIngest(store, corpus, delayMilliseconds: 0))
        {
            string output = await again.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            string errors = await again.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            await again.WaitForExitAsync(TestContext.Current.CancellationToken);
            Assert.True(again.ExitCode == 0, errors);
            Assert.Matches(@"\d+ unchanged", output);
        }

        // The resumed store holds exactly what one uninterrupted ingest writes.
        string reference = _temp["reference.db"];
        await IngestHarness.IngestAsync(reference, corpus);
        var resumed = IngestHarness.Passages(store);
        Assert.Equal(IngestHarness.Passages(reference), resumed);
        Assert.True(resumed.Count > interruptedPassages);
        using var final = RagStore.Open(store, readOnly: true);
        Assert.Empty(final.CheckConsistency());
        Assert.All(final.ListFiles(), f => Assert.Equal(IngestedFileState.Complete, f.State));
    }

    [Fact]
    public async Task Cancelling_an_ingest_stops_after_the_batch_in_progress_and_the_next_run_completes_it()
    {
        string corpus = _temp.CopyCorpus();
        string store = _temp["rag.db"];
        using var cancellation = new CancellationTokenSource();
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var context = new LlamaGen.Rag.Cli.RagCliContext(stdout, stderr, path => TestModels.Load(path, delayPerBatch: TimeSpan.FromMilliseconds(100)),
            InteractiveProgress: false, cancellation.Token);

        var ingest = LlamaGen.Rag.Cli.RagCommandLine.RunAsync(["ingest", "--store", store, "--model", Fixtures.TinyRandomGguf, "--batch-size", "4", corpus], context);
        // Ctrl+C once two batches are committed (Program.Main turns Ctrl+C into this cancellation).
        Assert.True(await WaitForPassagesAsync(store, atLeast: 8, () => ingest.IsCompleted) >= 8, "the ingest ended before two batches were committed");
        cancellation.Cancel();
        int code = await ingest;

        Assert.Equal(130, code);
        Assert.Contains("interrupted: every committed batch is kept", stderr.ToString());
        int kept = IngestHarness.Passages(store).Count;
        Assert.InRange(kept, 4, 400);
        using (var interrupted = RagStore.Open(store, readOnly: true))
            Assert.Empty(interrupted.CheckConsistency());
        var rerun = await CliRun.RunAsync("ingest", "--store", store, "--model", Fixtures.TinyRandomGguf, corpus);
        Assert.True(rerun.ExitCode == 0, rerun.Stderr);
        Assert.Matches(@"resumed|added", rerun.Stdout);
        string reference = _temp["reference.db"];
        await IngestHarness.IngestAsync(reference, corpus);
        Assert.Equal(IngestHarness.Passages(reference), IngestHarness.Passages(store));
    }

    private static Process StartIngest(string store, string corpus, int delayMilliseconds)
    {
        string host = Path.Combine(AppContext.BaseDirectory, "llamagen-rag-testhost");
        var start = new ProcessStartInfo(host)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(store)!,
        };
        foreach (string arg in (string[])["ingest", "--store", store, "--model", Fixtures.TinyRandomGguf, "--batch-size", "4", corpus])
            start.ArgumentList.Add(arg);
        start.Environment[TestModels.DelayVariable] = delayMilliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Process.Start(start) ?? throw new InvalidOperationException($"cannot start {host}");
    }

    // Polls the store (read-only, beside the writer) until it holds `atLeast` passages or the writer is done; returns the count seen.
    private static async Task<long> WaitForPassagesAsync(string store, int atLeast, Func<bool> writerFinished)
    {
        var deadline = Stopwatch.StartNew();
        int count = 0;
        while (deadline.Elapsed < TimeSpan.FromSeconds(60) && !writerFinished())
        {
            try
            {
                if (File.Exists(store) && (count = IngestHarness.Passages(store).Count) >= atLeast) return count;
            }
            catch (Exception e) when (e is StoreFormatException or Microsoft.Data.Sqlite.SqliteException)
            {
                // The store is being created: try again.
            }
            await Task.Delay(10);
        }
        return count;
    }
}
