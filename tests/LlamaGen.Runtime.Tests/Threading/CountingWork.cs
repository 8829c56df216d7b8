using LlamaGen.Kernels;

namespace LlamaGen.Runtime.Tests.Threading;

/// <summary>
/// Counts how often each row is processed and stamps it with the job that did it; counts chunks whose bounds break
/// the alignment contract. Holds arrays (managed references) on purpose: the pool must keep them valid.
/// </summary>
internal readonly struct CountingWork(int[] counts, int[] stamps, int[] badChunks, int rows, int alignment, int job) : IRowWork
{
    public void Execute(int rowStart, int rowEnd)
    {
        bool aligned = rowStart % alignment == 0 && (rowEnd % alignment == 0 || rowEnd == rows);
        if (!aligned || rowStart >= rowEnd || rowStart < 0 || rowEnd > rows) Interlocked.Increment(ref badChunks[0]);
        for (int r = Math.Max(rowStart, 0); r < Math.Min(rowEnd, rows); r++)
        {
            Interlocked.Increment(ref counts[r]);
            Volatile.Write(ref stamps[r], job);
        }
    }

    /// <summary>Describes the first row not processed exactly once by this job, or null; resets the counts.</summary>
    public static string? Check(int[] counts, int[] stamps, int[] badChunks, int rows, int job)
    {
        string? problem = badChunks[0] != 0 ? $"{badChunks[0]} chunk(s) broke the alignment or bounds" : null;
        for (int r = 0; r < rows && problem is null; r++)
        {
            if (counts[r] != 1) problem = $"row {r} processed {counts[r]} times";
            else if (stamps[r] != job) problem = $"row {r} stamped by job {stamps[r]}, expected {job}";
        }
        Array.Clear(counts, 0, rows);
        badChunks[0] = 0;
        return problem;
    }
}
