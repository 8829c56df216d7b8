namespace LlamaGen.Cli;

/// <summary>
/// The process's peak resident set size (Linux <c>VmHWM</c>), read by the benchmarked process itself so the figure
/// covers exactly its own lifetime. Mapped model pages that were touched count, as they do for llama.cpp.
/// Also compiled into bench/LlamaGen.LlamaCppBench.
/// </summary>
internal static class PeakMemory
{
    /// <summary>Peak RSS in bytes, or null where <c>/proc/self/status</c> is not available (not Linux).</summary>
    public static long? PeakResidentBytes()
    {
        const string status = "/proc/self/status";
        if (!File.Exists(status)) return null;
        foreach (string line in File.ReadLines(status))
        {
            // "VmHWM:     123456 kB"
            if (!line.StartsWith("VmHWM:", StringComparison.Ordinal)) continue;
            string value = line["VmHWM:".Length..].Trim();
            if (value.EndsWith(" kB", StringComparison.Ordinal) && long.TryParse(value[..^3].Trim(), out long kibibytes))
                return kibibytes * 1024;
            throw new InvalidDataException($"{status}: unexpected VmHWM line '{line}'");
        }
        return null;
    }
}
