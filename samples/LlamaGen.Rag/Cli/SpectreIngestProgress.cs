using LlamaGen.Rag.Ingestion;
using Spectre.Console;

namespace LlamaGen.Rag.Cli;

/// <summary>The live progress bar of a terminal ingest: bar, percentage, passages/s and time left (Spectre.Console).</summary>
public sealed class SpectreIngestProgress(ProgressTask task) : IIngestProgress
{
    public void Start(int totalPassages)
    {
        task.MaxValue = Math.Max(totalPassages, 1);
        task.StartTask();
        if (totalPassages == 0) task.Value = task.MaxValue;
    }

    public void Advance(int passages) => task.Increment(passages);

    public void Finish() => task.StopTask();

    /// <summary>The columns of the bar.</summary>
    public static ProgressColumn[] Columns() =>
    [
        new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new PassageRateColumn(), new RemainingTimeColumn(),
    ];
}
