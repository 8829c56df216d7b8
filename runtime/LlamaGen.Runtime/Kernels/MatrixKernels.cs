using LlamaGen.Quantization;

namespace LlamaGen.Kernels;

/// <summary>
/// The generated kernels bound to one weight matrix for one ISA: the matrix-vector product, the batched product where the
/// ISA has one of its own (else the tokens run through the matrix-vector kernel one by one), the input they read, and the
/// row length they are called with. The generated <c>KernelTable</c> hands these out; a default value is empty.
/// </summary>
public readonly unsafe struct MatrixKernels
{
    public MatrixKernels(
        delegate*<byte*, float*, byte*, float*, int, int, int, void> matVec,
        delegate*<byte*, float*, byte*, float*, int, int, int, int, int, void> matMul,
        KernelInput input,
        int columns)
    {
        MatVec = matVec;
        MatMul = matMul;
        Input = input;
        Columns = columns;
    }

    /// <summary><c>(weights, x, xq8, y, rowStart, rowEnd, columns)</c>: y[r] = dot(row r, input) for r in [rowStart, rowEnd).</summary>
    public delegate*<byte*, float*, byte*, float*, int, int, int, void> MatVec { get; }

    /// <summary>
    /// <c>(weights, x, xq8, y, rows, tokens, rowStart, rowEnd, columns)</c>: the same for each of <c>tokens</c> inputs (x
    /// rows of <see cref="Columns"/> floats, xq8 rows of <see cref="InputBytes"/>), y rows of <c>rows</c>; null when the ISA
    /// has no batched kernel of its own.
    /// </summary>
    public delegate*<byte*, float*, byte*, float*, int, int, int, int, int, void> MatMul { get; }

    public KernelInput Input { get; }

    /// <summary>The row length (elements per weight row).</summary>
    public int Columns { get; }

    public bool IsEmpty => MatVec == null;

    /// <summary>Bytes of one token's quantized input (0 for float weights).</summary>
    public int InputBytes => Input switch
    {
        KernelInput.Q8_0 => RepackedLayouts.Q8_0InputBytes(Columns),
        KernelInput.Q8_K => RepackedLayouts.Q8_KInputBytes(Columns),
        _ => 0,
    };

    /// <summary>Rows [rowStart, rowEnd) of the matrix-vector product y = W x (or of W xq8 for quantized weights).</summary>
    public void Multiply(byte* weights, float* x, byte* xq8, float* y, int rowStart, int rowEnd) =>
        MatVec(weights, x, xq8, y, rowStart, rowEnd, Columns);

    /// <summary>
    /// Rows [rowStart, rowEnd) of the batched product: the ISA's batched kernel, or each token through <see cref="MatVec"/>
    /// (the same arithmetic, so the results are identical either way).
    /// </summary>
    public void MultiplyBatch(byte* weights, float* x, byte* xq8, float* y, int rows, int tokens, int rowStart, int rowEnd)
    {
        if (MatMul != null)
        {
            MatMul(weights, x, xq8, y, rows, tokens, rowStart, rowEnd, Columns);
            return;
        }
        int inputBytes = InputBytes;
        for (int t = 0; t < tokens; t++)
            MatVec(weights, x + (nint)t * Columns, xq8 + (nint)t * inputBytes, y + (nint)t * rows, rowStart, rowEnd, Columns);
    }
}
