using LlamaGen.Kernels;
using LlamaGen.Quantization;

namespace LlamaGen.TestSupport.Kernels;

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

    /// <summary>Runs the matrix-vector kernel over [rowStart, rowEnd) and asserts every row; returns the worst relative error.</summary>
    public static unsafe double Run(MatrixKernels kernels, Data data, int rowStart, int rowEnd, string label)
    {
        Assert.False(kernels.IsEmpty, $"{label}: no kernel");
        Assert.Equal(data.Columns, kernels.Columns);
        const float Sentinel = -12345.678f;
        var y = new float[data.Rows];
        Array.Fill(y, Sentinel);
        fixed (byte* w = data.KernelWeights)
        fixed (float* x = data.X)
        fixed (byte* xq8 = data.Xq8)
        fixed (float* yp = y)
        {
            kernels.Multiply(w, x, data.Xq8.Length == 0 ? null : xq8, yp, rowStart, rowEnd);
        }
        return Check(y, data.Expected, data, rowStart, rowEnd, label);
    }

    /// <summary>
    /// Runs the batched product (the ISA's own kernel, or the tokens one by one) on <paramref name="tokens"/> random
    /// inputs against the same weights and checks every token's rows as <see cref="Run"/> does.
    /// </summary>
    public static unsafe double RunBatch(MatrixKernels kernels, Data data, int tokens, int rowStart, int rowEnd, string label)
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
        var y = new float[tokens * data.Rows];
        Array.Fill(y, Sentinel);
        fixed (byte* w = data.KernelWeights)
        fixed (float* px = x)
        fixed (byte* pq = inputs)
        fixed (float* yp = y)
        {
            kernels.MultiplyBatch(w, px, inputs.Length == 0 ? null : pq, yp, data.Rows, tokens, rowStart, rowEnd);
        }
        double worst = 0;
        for (int t = 0; t < tokens; t++)
        {
            float[] yt = y.AsSpan(t * data.Rows, data.Rows).ToArray();
            worst = Math.Max(worst, Check(yt, expected[t], data, rowStart, rowEnd, $"{label}, token {t} of {tokens}"));
        }
        return worst;
    }

    private static double Check(float[] y, (double Value, double Magnitude)[] expectedRows, Data data, int rowStart, int rowEnd, string label)
    {
        const float Sentinel = -12345.678f;
        double tolerance = data.Type is GgmlType.F32 or GgmlType.F16 or GgmlType.BF16 ? FloatTolerance : QuantizedTolerance;
        double worst = 0;
        for (int r = 0; r < data.Rows; r++)
        {
            if (r < rowStart || r >= rowEnd)
            {
                if (y[r] != Sentinel) Assert.Fail($"{label}: row {r} is outside [{rowStart}, {rowEnd}) but was written ({y[r]}).");
                continue;
            }
            var (value, magnitude) = expectedRows[r];
            double error = Math.Abs(y[r] - value);
            double relative = magnitude == 0 ? error : error / magnitude;
            worst = Math.Max(worst, relative);
            if (!(relative <= tolerance))
                Assert.Fail($"{label}: row {r}: got {y[r]:R}, expected {value:R} (sum of |terms| {magnitude:R}, relative error {relative:E2} > {tolerance:E0}).");
        }
        return worst;
    }
}
