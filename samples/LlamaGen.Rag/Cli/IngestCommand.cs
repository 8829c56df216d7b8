using System.CommandLine;
using LlamaGen.Rag.Chunking;
using LlamaGen.Rag.Composition;
using LlamaGen.Rag.Documents;
using LlamaGen.Rag.Ingestion;
using LlamaGen.Rag.Storage;
using Spectre.Console;

namespace LlamaGen.Rag.Cli;

/// <summary><c>llamagen-rag ingest --store rag.db --model M DIR...</c></summary>
internal static class IngestCommand
{
    public static Command Create(RagCliContext context)
    {
        var store = new Option<string>("--store", "-s") { Description = "Store file (SQLite); created if missing", Required = true };
        var model = new Option<string>("--model", "-m") { Description = "Model file that embeds the passages", Required = true };
        var folders = new Argument<string[]>("DIR") { Description = "Folders (or files) of .txt, .md, .html and .pdf documents", Arity = ArgumentArity.OneOrMore };
        var batch = new Option<int>("--batch-size") { Description = "Passages per embedding call and per transaction", DefaultValueFactory = _ => 16 };
        var chunkTokens = new Option<int>("--chunk-tokens") { Description = "Maximum tokens per passage", DefaultValueFactory = _ => 128 };
        var overlap = new Option<int>("--overlap-tokens") { Description = "Tokens a passage repeats from the end of the previous one", DefaultValueFactory = _ => 24 };
        var command = new Command("ingest", "Read, cut, embed and store documents (incremental: unchanged files are skipped)")
            { store, model, folders, batch, chunkTokens, overlap };
        command.SetAction((parse, cancellation) => RunAsync(context, parse.GetValue(store)!, parse.GetValue(model)!, parse.GetValue(folders)!,
            new IngestOptions(parse.GetValue(batch)), new ChunkerOptions(parse.GetValue(chunkTokens), parse.GetValue(overlap))));
        return command;
    }

    private static async Task<int> RunAsync(RagCliContext context, string storePath, string modelPath, string[] folders,
        IngestOptions ingestOptions, ChunkerOptions chunkerOptions)
    {
        RagCommandLine.Validate(ingestOptions.Validate);
        RagCommandLine.Validate(chunkerOptions.Validate);
        // Everything that can be refused is checked before the model loads and before the store is written.
        var reader = new DocumentReader();
        var scan = CorpusScanner.Scan(folders, Path.GetDirectoryName(Path.GetFullPath(storePath))!, reader);
        if (File.Exists(storePath))
            RagStore.Open(storePath, readOnly: true).Dispose();

        using var model = context.LoadModel(modelPath);
        using var ledger = RagStore.OpenOrCreate(storePath, model.Identity);
        using var passages = PassageStoreFactory.Create(ledger, model.Embeddings);
        var workflow = new IngestWorkflow(ledger, passages, model.Embeddings, new PassageChunker(model.Tokens, chunkerOptions), reader, ingestOptions);
        workflow.Warning += message => context.Stderr.WriteLine($"warning: {message}");

        IngestReport report;
        try
        {
            report = context.InteractiveProgress
                ? await RunWithProgressBarAsync(context, workflow, scan)
                : await workflow.RunAsync(scan, new LineIngestProgress(context.Stderr, TimeSpan.FromSeconds(2)), context.Cancellation);
        }
        catch (OperationCanceledException)
        {
            context.Stderr.WriteLine($"interrupted: every committed batch is kept in '{storePath}'; run the same command again to continue");
            return RagCommandLine.Cancelled;
        }
        context.Stdout.WriteLine(
            $"ingested {scan.Files.Count} files into '{storePath}': {report.Added} added, {report.Replaced} replaced, {report.Resumed} resumed, " +
            $"{report.Unchanged} unchanged, {report.Deleted} deleted, {report.Skipped.Count} skipped; " +
            $"{report.PassagesEmbedded} passages embedded in {report.Elapsed.TotalSeconds:F1} s ({report.PassagesPerSecond:F1} passages/s); " +
            $"the store holds {report.StoredPassages} passages");
        if (report.Calibration is { } calibration)
            context.Stdout.WriteLine(calibration.ToString());
        return report.Skipped.Count == 0 ? 0 : RagCommandLine.CompletedWithWarnings;
    }

    private static async Task<IngestReport> RunWithProgressBarAsync(RagCliContext context, IngestWorkflow workflow, CorpusScan scan)
    {
        // Console.Error itself, not the context's writer: Spectre asks it whether it is a terminal to draw a live bar.
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        IngestReport? report = null;
        await console.Progress().Columns(SpectreIngestProgress.Columns()).StartAsync(async progress =>
        {
            var task = progress.AddTask("embedding", autoStart: false);
            report = await workflow.RunAsync(scan, new SpectreIngestProgress(task), context.Cancellation);
        });
        return report!;
    }
}
