using LlamaGen.Generator.Helpers;
using LlamaGen.Generator.Model;

namespace LlamaGen.Generator.Emitters;

internal static partial class KernelEmitter
{
    /// <summary>
    /// The scalar variant: plain loops with constant trip counts, one row at a time. It is the baseline the SIMD
    /// variants are checked against, so it stays as close to the format definitions as possible. (Quantized types: see
    /// KernelEmitter.Interleaved.cs.)
    /// </summary>
    private static void EmitScalar(SourceWriter w, MatVecKernel kernel)
    {
        w.Open("for (int r = rowStart; r < rowEnd; r++)");
        switch (kernel.TypeName)
        {
            case "F32":
                w.Line("float* row = (float*)(weights + r * RowBytes);");
                w.Line("float sum = 0f;");
                w.Line("for (int c = 0; c < Columns; c++) sum += row[c] * x[c];");
                w.Line("y[r] = sum;");
                break;
            case "F16":
                w.Line("Half* row = (Half*)(weights + r * RowBytes);");
                w.Line("float sum = 0f;");
                w.Line("for (int c = 0; c < Columns; c++) sum += (float)row[c] * x[c];");
                w.Line("y[r] = sum;");
                break;
            case "BF16":
                // bf16 is the upper half of a float32 (ggml's GGML_BF16_TO_FP32): widen to int, shift, reinterpret.
                w.Line("ushort* row = (ushort*)(weights + r * RowBytes);");
                w.Line("float sum = 0f;");
                w.Line("for (int c = 0; c < Columns; c++) sum += BitConverter.Int32BitsToSingle(row[c] << 16) * x[c];");
                w.Line("y[r] = sum;");
                break;
        }
        w.Close();
    }
}
