using LlamaGen.Quantization;

namespace LlamaGen.Runtime.Tests.Kernels;

/// <summary>The signature of every emitted kernel variant and dispatcher.</summary>
public unsafe delegate void MatVecKernelFunction(byte* weights, float* x, byte* xq8, float* y, int rowStart, int rowEnd);

/// <summary>The signature of the batched kernels (<c>MatMul_*</c>): the same weights times several inputs.</summary>
public unsafe delegate void MatMulKernelFunction(byte* weights, float* x, byte* xq8, float* y, int tokens, int rowStart, int rowEnd);

/// <summary>
/// Runs one kernel on random data and compares it with <see cref="MatVecReference"/>. Rows outside
/// [rowStart, rowEnd) must keep a sentinel, so a kernel writing past its range fails too. Q4_0 and Q8_0 kernels get the
/// weights repacked by <see cref="InterleavedLayout"/> and the input from <see cref="ActivationQuantizer.QuantizeKernelInput"/>,
/// while the reference reads the GGUF blocks and llama.cpp's Q8_0 activation: the repacking is checked with the kernels.
/// </summary>
public static class MatVecCheck
{
    /// <summary>Relative to the sum of |terms|: integer block sums are exact, only float scaling/accumulation differs.</summary>
    public const double QuantizedTolerance = 1e-5;

    /// <summary>F32/F16: float accumulation over up to 11008 products in a different order than the double reference.</summary>
    public const double FloatTolerance = 3e-5;

    public sealed class Data
    {
        public Data(GgmlType type, int rows, int columns, int seed)
        {
            var random = new Random(seed);
            Type = type;
            Rows = rows;
            Columns = columns;
            Weights = MatVecReference.RandomWeights(type, rows, columns, random);
            KernelWeights = Weights;
            if (InterleavedLayout.IsInterleaved(type))
            {
                KernelWeights = new byte[InterleavedLayout.Bytes(type, rows, columns)];
                InterleavedLayout.Repack(type, Weights, rows, columns, KernelWeights);
            }
            X = MatVecReference.RandomActivation(columns, random);
            (Xq8, Expected) = ExpectedFor(X);
        }

        /// <summary>The kernel input for <paramref name="x"/> and the reference results of every row.</summary>
        public unsafe (byte[] KernelInput, (double Value, double Magnitude)[] Expected) ExpectedFor(float[] x)
        {
            // The reference reads ggml's activation blocks (Q8_K for the K-quants, Q8_0 otherwise); the kernels read the
            // matching kernel input.
            bool k = MatVecReference.IsKQuant(Type);
            bool quantized = k || Columns % 32 == 0;
            var q8 = new byte[k ? ActivationQuantizer.QuantizedBytesQ8_K(Columns) : Columns / 32 * 34];
            var input = new byte[!quantized ? 0 : k ? ActivationQuantizer.KernelInputBytesQ8_K(Columns) : ActivationQuantizer.KernelInputBytes(Columns)];
            if (quantized)
            {
                if (k) ActivationQuantizer.QuantizeQ8_K(x, q8);
                else ActivationQuantizer.QuantizeQ8_0(x, q8);
                fixed (float* px = x)
                fixed (byte* pi = input)
                {
                    if (k) ActivationQuantizer.QuantizeKernelInputQ8_K(px, pi, Columns);
                    else ActivationQuantizer.QuantizeKernelInput(px, pi, Columns);
                }
            }
            var expected = new (double, double)[Rows];
            long rowBytes = GgmlTypeInfo.RowBytes(Type, Columns);
            for (int r = 0; r < Rows; r++)
                expected[r] = MatVecReference.Row(Type, Weights.AsSpan((int)(r * rowBytes), (int)rowBytes), Columns, x, q8);
            return (input, expected);
        }

        public GgmlType Type { get; }
        public int Rows { get; }
        public int Columns { get; }
        /// <summary>The GGUF blocks the reference reads.</summary>
        public byte[] Weights { get; }

        /// <summary>What the kernels read: <see cref="Weights"/>, or for Q4_0/Q8_0 their interleaved repacking.</summary>
        public byte[] KernelWeights { get; }

        public float[] X { get; }

        /// <summary>The kernels' quantized input (<see cref="ActivationQuantizer.QuantizeKernelInput"/>) for <see cref="X"/>.</summary>
        public byte[] Xq8 { get; }
        public (double Value, double Magnitude)[] Expected { get; }
    }

    /// <summary>Runs <paramref name="kernel"/> over [rowStart, rowEnd) and asserts every row; returns the worst relative error.</summary>
    public static double Run(MatVecKernelFunction kernel, Data data, int rowStart, int rowEnd, string label) =>
        Run(kernel, data, rowStart, rowEnd, firstRow: 0, label);

    /// <summary>
    /// Runs rows [firstRow, firstRow + data.Rows) of a larger matrix whose other rows are not allocated (a
    /// 32000x4096 F32 matrix is 512 MiB): the weight and output pointers are shifted back by
    /// <paramref name="firstRow"/> rows, and the kernel only touches rows in its range.
    /// </summary>
    public static double RunWindow(MatVecKernelFunction kernel, Data data, int firstRow, string label) =>
        Run(kernel, data, firstRow, firstRow + data.Rows, firstRow, label);

    private static unsafe double Run(MatVecKernelFunction kernel, Data data, int rowStart, int rowEnd, int firstRow, string label)
    {
        const float Sentinel = -12345.678f;
        var y = new float[data.Rows];
        Array.Fill(y, Sentinel);
        fixed (byte* w = data.KernelWeights)
        fixed (float* x = data.X)
        fixed (byte* xq8 = data.Xq8)
        fixed (float* yp = y)
        {
            kernel(w - WeightOffset(data, firstRow), x, data.Xq8.Length == 0 ? null : xq8, yp - firstRow, rowStart, rowEnd);
        }
        return Check(y, data.Expected, data, rowStart - firstRow, rowEnd - firstRow, firstRow, label);
    }

    /// <summary>
    /// Runs a batched kernel on <paramref name="tokens"/> random inputs against the same weights and checks every token's
    /// rows as <see cref="Run(MatVecKernelFunction, Data, int, int, string)"/> does.
    /// </summary>
    /// <paramref name="matrixRows"/> is the kernel's row count (the stride of its output rows); the data may be a window of
    /// it starting at <paramref name="firstRow"/>.
    public static unsafe double RunBatch(MatMulKernelFunction kernel, Data data, int matrixRows, int tokens, int rowStart, int rowEnd, int firstRow, string label)
    {
        const float Sentinel = -12345.678f;
        var random = new Random(tokens * 7919 + rowStart);
        var x = new float[tokens * data.Columns];
        var expected = new (double, double)[tokens][];
        byte[] inputs = [];
        for (int t = 0; t < tokens; t++)
        {
            float[] xt = MatVecReference.RandomActivation(data.Columns, random);
            xt.CopyTo(x, t * data.Columns);
            (byte[] input, expected[t]) = data.ExpectedFor(xt);
            if (t == 0) inputs = new byte[tokens * input.Length];
            input.CopyTo(inputs, t * input.Length);
        }
        var y = new float[tokens * matrixRows];
        Array.Fill(y, Sentinel);
        fixed (byte* w = data.KernelWeights)
        fixed (float* px = x)
        fixed (byte* pq = inputs)
        fixed (float* yp = y)
        {
            // y rows have the matrix's full row count as their stride; only the window is allocated for each token.
            kernel(w - WeightOffset(data, firstRow), px, inputs.Length == 0 ? null : pq, yp, tokens, rowStart, rowEnd);
        }
        double worst = 0;
        for (int t = 0; t < tokens; t++)
        {
            float[] yt = y.AsSpan(t * matrixRows + firstRow, data.Rows).ToArray();
            worst = Math.Max(worst, Check(yt, expected[t], data, rowStart - firstRow, rowEnd - firstRow, firstRow, $"{label}, token {t} of {tokens}"));
        }
        return worst;
    }

    /// <summary>Bytes before row <paramref name="firstRow"/>: whole rows, or whole groups of 8 in the interleaved layout.</summary>
    private static long WeightOffset(Data data, int firstRow)
    {
        if (!InterleavedLayout.IsInterleaved(data.Type)) return firstRow * GgmlTypeInfo.RowBytes(data.Type, data.Columns);
        Assert.True(firstRow % InterleavedLayout.GroupRows == 0, $"a window of an interleaved matrix starts on a group of 8 rows, not at {firstRow}");
        return InterleavedLayout.Bytes(data.Type, firstRow, data.Columns); // whole groups (K-quant groups are a little larger than 8 rows)
    }

    private static double Check(float[] y, (double Value, double Magnitude)[] expectedRows, Data data, int rowStart, int rowEnd, int firstRow, string label)
    {
        const float Sentinel = -12345.678f;
        double tolerance = data.Type is GgmlType.F32 or GgmlType.F16 or GgmlType.BF16 ? FloatTolerance : QuantizedTolerance;
        double worst = 0;
        for (int r = 0; r < data.Rows; r++)
        {
            if (r < rowStart || r >= rowEnd)
            {
                if (y[r] != Sentinel) Assert.Fail($"{label}: row {r + firstRow} is outside [{rowStart + firstRow}, {rowEnd + firstRow}) but was written ({y[r]}).");
                continue;
            }
            var (value, magnitude) = expectedRows[r];
            double error = Math.Abs(y[r] - value);
            double relative = magnitude == 0 ? error : error / magnitude;
            worst = Math.Max(worst, relative);
            if (!(relative <= tolerance))
                Assert.Fail($"{label}: row {r + firstRow}: got {y[r]:R}, expected {value:R} (sum of |terms| {magnitude:R}, relative error {relative:E2} > {tolerance:E0}).");
        }
        return worst;
    }
}
