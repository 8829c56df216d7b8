using System.Diagnostics;
using LlamaGen.Rag.Ingestion;

namespace LlamaGen.Rag.Cli;

/// <summary>Progress as log lines (when stderr is not a terminal): at most one every <c>interval</c>, and one at the end.</summary>
public sealed class LineIngestProgress(TextWriter output, TimeSpan interval) : IIngestProgress
{
    private readonly Stopwatch _clock = new();
    private TimeSpan _lastLine;
    private int _total, _done;

    public void Start(int totalPassages)
    {
        _total = totalPassages;
        _clock.Restart();
        output.WriteLine($"ingest: {totalPassages} passages to embed");
    }

    public void Advance(int passages)
    {
        _done += passages;
        if (_clock.Elapsed - _lastLine < interval && _done < _total) return;
        _lastLine = _clock.Elapsed;
        double rate = _done / Math.Max(_clock.Elapsed.TotalSeconds, 1e-6);
        var eta = TimeSpan.FromSeconds(rate > 0 ? (_total - _done) / rate : 0);
        output.WriteLine($"ingest: {_done}/{_total} passages ({100.0 * _done / Math.Max(_total, 1):F0} %), {rate:F1} passages/s, ETA {eta:hh\\:mm\\:ss}");
    }

    public void Finish() => output.Flush();
}
