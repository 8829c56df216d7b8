using LlamaGen.Quantization;

namespace LlamaGen.Runtime.Tests.Kernels;

/// <summary>The signature of every emitted kernel variant and dispatcher.</summary>
public unsafe delegate void MatVecKernelFunction(byte* weights, float* x, byte* xq8, float* y, int rowStart, int rowEnd);

/// <summary>
/// Runs one kernel on random data and compares it with <see cref="MatVecReference"/>. Rows outside
/// [rowStart, rowEnd) must keep a sentinel, so a kernel writing past its range fails too.
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
            X = MatVecReference.RandomActivation(columns, random);
            Xq8 = new byte[columns / 32 * 34];
            if (columns % 32 == 0) ActivationQuantizer.QuantizeQ8_0(X, Xq8);
            Expected = new (double, double)[rows];
            long rowBytes = GgmlTypeInfo.RowBytes(type, columns);
            for (int r = 0; r < rows; r++)
                Expected[r] = MatVecReference.Row(type, Weights.AsSpan((int)(r * rowBytes), (int)rowBytes), columns, X, Xq8);
        }

        public GgmlType Type { get; }
        public int Rows { get; }
        public int Columns { get; }
        public byte[] Weights { get; }
        public float[] X { get; }
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
        fixed (byte* w = data.Weights)
        fixed (float* x = data.X)
        fixed (byte* xq8 = data.Xq8)
        fixed (float* yp = y)
        {
            long rowBytes = GgmlTypeInfo.RowBytes(data.Type, data.Columns);
            kernel(w - firstRow * rowBytes, x, data.Xq8.Length == 0 ? null : xq8, yp - firstRow, rowStart, rowEnd);
        }

        double tolerance = data.Type is GgmlType.Q8_0 or GgmlType.Q4_0 ? QuantizedTolerance : FloatTolerance;
        double worst = 0;
        rowStart -= firstRow;
        rowEnd -= firstRow;
        for (int r = 0; r < data.Rows; r++)
        {
            if (r < rowStart || r >= rowEnd)
            {
                if (y[r] != Sentinel) Assert.Fail($"{label}: row {r + firstRow} is outside [{rowStart}, {rowEnd}) but was written ({y[r]}).");
                continue;
            }
            var (value, magnitude) = data.Expected[r];
            double error = Math.Abs(y[r] - value);
            double relative = magnitude == 0 ? error : error / magnitude;
            worst = Math.Max(worst, relative);
            if (!(relative <= tolerance))
                Assert.Fail($"{label}: row {r + firstRow}: got {y[r]:R}, expected {value:R} (sum of |terms| {magnitude:R}, relative error {relative:E2} > {tolerance:E0}).");
        }
        return worst;
    }
}
