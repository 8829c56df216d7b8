using LlamaGen.Generator.Helpers;
using LlamaGen.Generator.Model;

namespace LlamaGen.Generator.Emitters;

internal static partial class KernelEmitter
{
    /// <summary>
    /// The scalar variant: plain loops with constant trip counts, one row at a time. It is the baseline the SIMD
    /// variants are checked against, so it stays as close to the block format definitions as possible.
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
            case "Q8_0":
            case "Q4_0":
                bool q8 = kernel.TypeName == "Q8_0";
                int blockBytes = WeightBlockBytes(kernel);
                w.Line($"const int Blocks = {kernel.Columns / BlockValues};");
                w.Line("byte* row = weights + r * RowBytes;");
                w.Line("float sum = 0f;");
                w.Open("for (int b = 0; b < Blocks; b++)");
                w.Line($"byte* wb = row + b * {blockBytes};");
                w.Line($"byte* xb = xq8 + b * {Q8BlockBytes};");
                w.Line("sbyte* xq = (sbyte*)(xb + 2);");
                w.Line("int dot = 0;");
                if (q8)
                {
                    w.Line("sbyte* wq = (sbyte*)(wb + 2);");
                    w.Line("for (int i = 0; i < 32; i++) dot += wq[i] * xq[i];");
                }
                else
                {
                    w.Line("// Q4_0: byte i holds element i in its low nibble and element i + 16 in its high nibble, both offset by 8.");
                    w.Open("for (int i = 0; i < 16; i++)");
                    w.Line("int packed = wb[2 + i];");
                    w.Line("dot += ((packed & 0xF) - 8) * xq[i] + ((packed >> 4) - 8) * xq[i + 16];");
                    w.Close();
                }
                w.Line("sum += dot * ((float)*(Half*)wb * (float)*(Half*)xb);");
                w.Close();
                w.Line("y[r] = sum;");
                break;
        }
        w.Close();
    }
}
