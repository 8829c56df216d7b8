using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace LlamaGen.Bench;

/// <summary>
/// Measures the machine's sustained memory read bandwidth: threads stream through disjoint slices of a buffer far
/// larger than the caches, as token generation streams through the weights. This is the roofline generation is
/// judged against: a token cannot take less than (bytes of weights read) / (this bandwidth).
/// </summary>
public static unsafe class MemoryBandwidth
{
    /// <summary>Default buffer: 1 GiB, far beyond any L3 cache, so every read comes from DRAM.</summary>
    public const long DefaultBufferBytes = 1L << 30;

    /// <summary>
    /// The best of <paramref name="repetitions"/> passes in which <paramref name="threads"/> threads each read their
    /// slice of a <paramref name="bufferBytes"/> buffer once; returns bytes per second over the slowest thread's time
    /// (a pass ends when the last thread finishes, as a matrix-vector product does).
    /// </summary>
    public static double MeasureReadBytesPerSecond(int threads, long bufferBytes = DefaultBufferBytes, int repetitions = 5)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(repetitions, 1);
        const int Alignment = 4096;
        long slice = bufferBytes / threads / Alignment * Alignment;
        if (slice < Alignment) throw new ArgumentOutOfRangeException(nameof(bufferBytes), bufferBytes, $"Too small for {threads} threads.");
        long total = slice * threads;

        byte* buffer = (byte*)NativeMemory.AlignedAlloc((nuint)total, Alignment);
        try
        {
            // Touch every page first (and with non-zero data) so the passes measure reads, not page faults.
            new Span<byte>(buffer, 1).Fill(1);
            for (long offset = 0; offset < total; offset += int.MaxValue / 2)
                new Span<byte>(buffer + offset, (int)Math.Min(int.MaxValue / 2, total - offset)).Fill(0x5A);

            double best = 0;
            for (int pass = 0; pass < repetitions + 1; pass++)
            {
                double seconds = TimePass(buffer, slice, threads);
                if (pass > 0) best = Math.Max(best, total / seconds); // the first pass warms up the threads and the code
            }
            return best;
        }
        finally
        {
            NativeMemory.AlignedFree(buffer);
        }
    }

    private static double TimePass(byte* buffer, long slice, int threads)
    {
        using var start = new Barrier(threads + 1);
        var workers = new Thread[threads];
        long sink = 0;
        for (int t = 0; t < threads; t++)
        {
            byte* begin = buffer + t * slice;
            workers[t] = new Thread(() =>
            {
                start.SignalAndWait();
                Interlocked.Add(ref sink, Read(begin, slice));
            }) { IsBackground = true, Name = $"bandwidth-{t}" };
            workers[t].Start();
        }
        start.SignalAndWait();
        var clock = Stopwatch.StartNew();
        foreach (var worker in workers) worker.Join();
        double seconds = clock.Elapsed.TotalSeconds;
        GC.KeepAlive(sink);
        return seconds;
    }

    /// <summary>
    /// Reads every byte with the widest vector loads, summing into four independent accumulators so the loop is
    /// limited by loads, not by one dependency chain; the result is used so the JIT cannot drop the loads.
    /// </summary>
    private static long Read(byte* p, long length)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512<long> a = default, b = default, c = default, d = default;
            for (long i = 0; i < length; i += 4 * 64)
            {
                a += Vector512.Load((long*)(p + i));
                b += Vector512.Load((long*)(p + i + 64));
                c += Vector512.Load((long*)(p + i + 128));
                d += Vector512.Load((long*)(p + i + 192));
            }
            return Vector512.Sum(a + b + c + d);
        }
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<long> a = default, b = default, c = default, d = default;
            for (long i = 0; i < length; i += 4 * 32)
            {
                a += Vector256.Load((long*)(p + i));
                b += Vector256.Load((long*)(p + i + 32));
                c += Vector256.Load((long*)(p + i + 64));
                d += Vector256.Load((long*)(p + i + 96));
            }
            return Vector256.Sum(a + b + c + d);
        }
        {
            Vector128<long> a = default, b = default, c = default, d = default;
            for (long i = 0; i < length; i += 4 * 16)
            {
                a += Vector128.Load((long*)(p + i));
                b += Vector128.Load((long*)(p + i + 16));
                c += Vector128.Load((long*)(p + i + 32));
                d += Vector128.Load((long*)(p + i + 48));
            }
            return Vector128.Sum(a + b + c + d);
        }
    }
}
