namespace LlamaGen.BatchedBench;

/// <summary>One process's measurement: per stream count, the seconds of the timed decode steps (each step one token per stream).</summary>
internal sealed record BatchedRun(string Engine, int Threads, int PromptTokens, int Steps, Dictionary<int, double> Seconds, long? PeakRssBytes)
{
    public double TokensPerSecond(int streams) => streams * Steps / Seconds[streams];
}
