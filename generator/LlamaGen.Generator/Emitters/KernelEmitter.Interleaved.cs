using LlamaGen.Generator.Helpers;
using LlamaGen.Generator.Model;

namespace LlamaGen.Generator.Emitters;

/// <remarks>
/// Kernels for the 32-element block types (Q4_0, Q4_1, Q5_0, Q5_1, Q8_0) over the interleaved layout the runtime repacks
/// the weights into at load time (<c>LlamaGen.Quantization.InterleavedLayout</c>): groups of 8 rows, and per group and
/// 32-column block the 8 rows' f16 scales (then, by type, the 8 f16 minimums and the 8 transposed fifth-bit words)
/// followed by 32-byte chunks holding 4 consecutive quants of each of the 8 rows. One 256-bit load times the
/// 4 matching activation bytes broadcast to every lane (<c>vpdpbusd</c>, AVX-VNNI) adds 4 products to each row's
/// 32-bit lane, so a block costs a handful of integer instructions per 8 rows and one convert + one FMA per 8 rows,
/// where a row-at-a-time kernel needs both per row. The weights are unsigned bytes (Q4_0/Q4_1 nibbles 0..15, Q5_0/Q5_1
/// 5-bit quants 0..31, Q8_0 quants + 128) because x86 multiplies unsigned by signed bytes; the offset comes back out
/// through the activation block's sum (<c>- 8 * sum(x)</c>, <c>- 16 * sum(x)</c> or <c>- 128 * sum(x)</c>), which the
/// quantizer precomputes. The input <c>xq8</c> is <c>ActivationQuantizer.QuantizeKernelInput</c>'s layout: all quants,
/// then the float scales, then the int sums.
///
/// Q4_1 and Q5_1 (value <c>d * q + m</c>) add, per block and row, <c>m * d_x * sum(x_q)</c> to <c>d * d_x * dot(q, x_q)</c>:
/// a second FMA per 8 rows, with the same precomputed sum. llama.cpp multiplies these two types with Q8_1 activations,
/// whose sum term <c>s = d_x * sum(x_q)</c> is stored as an f16; we reuse the Q8_0 input of the other types and keep the
/// sum as an exact integer, which is the same math, slightly more exact (one f16 rounding fewer), and saves a second
/// activation quantization per product. Q5_0 and Q5_1 OR the fifth bit into bit 4 of each unpacked nibble: the layout
/// stores it transposed so that a 32-bit shift and an AND put it there (see InterleavedLayout's remarks).
///
/// The 8 f16 scales of a group are widened to floats in integer lanes: moved to the top half of the lane, shifted right
/// arithmetically by 3 (the sign lands in bit 31, the exponent and mantissa where a float keeps them, 112 below), then
/// multiplied by 2^112. Exact for normal and subnormal scales and zero; infinite or NaN scales would come out finite,
/// which is why the repacking refuses them at load. .NET 10 has no <c>vcvtph2ps</c> intrinsic.
///
/// Rows: the kernels compute whole groups and store only the rows in <c>[rowStart, rowEnd)</c>, so any range works;
/// ranges aligned to 8 (what the worker pool hands out) waste nothing.
/// </remarks>
internal static partial class KernelEmitter
{
    private const int GroupRows = 8;

    /// <summary>Whether the x86 variants have a tiled batched kernel (quantized weights in the interleaved layout).</summary>
    public static bool HasTiledBatch(MatVecKernel kernel) => IsQuantized(kernel) && IsSupported(kernel, out _);

    private static int Chunks(MatVecKernel kernel) => kernel.TypeName == "Q8_0" ? 8 : 4;

    private static int GroupBlockBytes(MatVecKernel kernel) => GroupRows * WeightBlockBytes(kernel);

    /// <summary>Whether the quants are nibbles (two per byte, 4 chunks), possibly with a fifth bit: all but Q8_0.</summary>
    private static bool HasNibbles(MatVecKernel kernel) => kernel.TypeName != "Q8_0";

    /// <summary>Q4_1 and Q5_1: an f16 minimum per block (<c>value = d * q + m</c>).</summary>
    private static bool HasMin(MatVecKernel kernel) => kernel.TypeName is "Q4_1" or "Q5_1";

    /// <summary>Q5_0 and Q5_1: a fifth bit per quant, in the layout's transposed 32-bit word per row.</summary>
    private static bool HasHigh(MatVecKernel kernel) => kernel.TypeName is "Q5_0" or "Q5_1";

    /// <summary>Byte offset of the 8 rows' f16 minimums in a group block (InterleavedLayout).</summary>
    private const int MinOffset = 16;

    /// <summary>Byte offset of the 8 rows' fifth-bit words in a group block (InterleavedLayout).</summary>
    private static int HighOffset(MatVecKernel kernel) => HasMin(kernel) ? 32 : 16;

    /// <summary>Byte offset of the first quant chunk in a group block (InterleavedLayout).</summary>
    private static int QuantOffset(MatVecKernel kernel) => 16 + (HasMin(kernel) ? 16 : 0) + (HasHigh(kernel) ? 32 : 0);

    /// <summary>
    /// The integer sum's starting value, which takes the unsigned weights' offset back out through the activation sum
    /// <c>xs</c>: 8 for Q4_0 nibbles, 16 for Q5_0's 5-bit quants, 128 for Q8_0's flipped sign bit (on the VNNI path only;
    /// see <c>Correction</c>); none for Q4_1 and Q5_1, whose quants are unsigned by definition.
    /// </summary>
    private static string InitialSum(MatVecKernel kernel) => kernel.TypeName switch
    {
        "Q4_0" => "-8 * xs",
        "Q5_0" => "-16 * xs",
        "Q8_0" => "Correction(xs)",
        _ => "0",
    };

    private static void EmitInterleaved(SourceWriter w, MatVecKernel kernel, string isa)
    {
        EmitIsaGuard(w, isa);
        EmitInterleavedPreamble(w, kernel);
        w.Open("for (int g = rowStart / 8; g * 8 < rowEnd; g++)");
        w.Line("byte* p = weights + (nint)g * GroupBytes;");
        switch (isa)
        {
            case "Scalar":
                EmitInterleavedScalarGroup(w, kernel);
                break;
            case "Vector128":
            case "Neon":
                w.Line("Vector128<float> acc0 = Vector128<float>.Zero, acc1 = Vector128<float>.Zero;");
                w.Line("for (int b = 0; b < Blocks; b++) Block(p + b * GroupBlockBytes, xq + b * 32, xd[b], xs[b], ref acc0, ref acc1);");
                w.Line("StoreGroup(acc0, acc1, y, g * 8, rowStart, rowEnd);");
                break;
            default:
                // Two blocks per iteration into two accumulators: independent chains for the out-of-order core.
                w.Line("Vector256<float> acc0 = Vector256<float>.Zero, acc1 = Vector256<float>.Zero;");
                w.Line("int b = 0;");
                w.Open("for (; b + 2 <= Blocks; b += 2)");
                w.Line("acc0 = Block(p + b * GroupBlockBytes, xq + b * 32, xd[b], xs[b], acc0);");
                w.Line("acc1 = Block(p + (b + 1) * GroupBlockBytes, xq + (b + 1) * 32, xd[b + 1], xs[b + 1], acc1);");
                w.Close();
                if (kernel.Columns / BlockValues % 2 != 0)
                    w.Line("acc0 = Block(p + b * GroupBlockBytes, xq + b * 32, xd[b], xs[b], acc0);");
                w.Line("StoreGroup(acc0 + acc1, y, g * 8, rowStart, rowEnd);");
                break;
        }
        w.Close();

        switch (isa)
        {
            case "Scalar":
                break;
            case "Vector128":
            case "Neon":
                EmitInterleavedBlock128(w, kernel, isa);
                EmitStoreGroup128(w);
                EmitScales128(w);
                break;
            default:
                EmitInterleavedBlock256(w, kernel);
                EmitStoreGroup256(w);
                EmitScales256(w);
                EmitDot256(w, kernel);
                break;
        }
    }

    private static void EmitInterleavedPreamble(SourceWriter w, MatVecKernel kernel)
    {
        w.Line($"const int Blocks = {kernel.Columns / BlockValues};");
        w.Line($"const int GroupBlockBytes = {GroupBlockBytes(kernel)}; // 8 rows x one {kernel.TypeName} block, interleaved");
        w.Line("const int GroupBytes = Blocks * GroupBlockBytes;");
        w.Line("// The input: Blocks x 32 quants, Blocks float scales, Blocks int sums (ActivationQuantizer.QuantizeKernelInput).");
        w.Line("sbyte* xq = (sbyte*)xq8;");
        w.Line("float* xd = (float*)(xq8 + Blocks * 32);");
        w.Line("int* xs = (int*)(xd + Blocks);");
    }

    /// <summary>The scalar group: integer sums per row exactly as the layout defines them.</summary>
    private static void EmitInterleavedScalarGroup(SourceWriter w, MatVecKernel kernel)
    {
        w.Open("for (int lane = 0; lane < 8; lane++)");
        w.Line("int row = g * 8 + lane;");
        w.Line("if (row < rowStart || row >= rowEnd) continue;");
        w.Line("float sum = 0f;");
        w.Open("for (int b = 0; b < Blocks; b++)");
        w.Line("byte* block = p + b * GroupBlockBytes;");
        w.Line("sbyte* xb = xq + b * 32;");
        w.Line("int dot = 0;");
        // Bit 8i + j of the transposed word is the fifth bit of element 4j + i (InterleavedLayout).
        if (HasHigh(kernel)) w.Line($"uint h = *(uint*)(block + {HighOffset(kernel)} + 4 * lane);");
        w.Open($"for (int k = 0; k < {Chunks(kernel)}; k++)");
        w.Open("for (int i = 0; i < 4; i++)");
        w.Line($"int u = block[{QuantOffset(kernel)} + 32 * k + 4 * lane + i];");
        if (HasNibbles(kernel))
        {
            string offset = kernel.TypeName switch { "Q4_0" => " - 8", "Q5_0" => " - 16", _ => "" };
            string low = HasHigh(kernel) ? "((u & 0xF) | (int)(h >> (8 * i + k) & 1) << 4)" : "(u & 0xF)";
            string high = HasHigh(kernel) ? "((u >> 4) | (int)(h >> (8 * i + k + 4) & 1) << 4)" : "(u >> 4)";
            string Term(string q) => offset.Length == 0 ? q : $"({q}{offset})";
            w.Line($"dot += {Term(low)} * xb[4 * k + i] + {Term(high)} * xb[16 + 4 * k + i];");
        }
        else
        {
            w.Line("dot += (u - 128) * xb[4 * k + i];");
        }
        w.Close();
        w.Close();
        w.Line("sum += dot * ((float)*(Half*)(block + 2 * lane) * xd[b]);");
        if (HasMin(kernel)) w.Line($"sum += (float)*(Half*)(block + {MinOffset} + 2 * lane) * (xd[b] * xs[b]);");
        w.Close();
        w.Line("y[row] = sum;");
        w.Close();
    }

    /// <summary>One block of a group with 256-bit vectors (AVX2 and AVX-512 variants: .NET 10 has only the 256-bit vpdpbusd).</summary>
    private static void EmitInterleavedBlock256(SourceWriter w, MatVecKernel kernel)
    {
        w.Line();
        w.Line("// acc + (8 rows' block product) * d_w * d_x. Four independent chains of dot products (lo/hi halves, even/odd chunks).");
        if (HasMin(kernel)) w.Line("// Then + m_w * (d_x * sum(x_q)): the minimum's term, with the activation's exact integer sum.");
        w.Line("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
        w.Open("static Vector256<float> Block(byte* p, sbyte* x, float xd, int xs, Vector256<float> acc)");
        w.Line($"Vector256<int> a = Vector256.Create({InitialSum(kernel)}), b = Vector256<int>.Zero, c = Vector256<int>.Zero, d = Vector256<int>.Zero;");
        if (HasNibbles(kernel))
        {
            EmitNibbleConstants256(w, kernel, "p");
            for (int k = 0; k < 4; k++)
            {
                string lo = k % 2 == 0 ? "a" : "b", hi = k % 2 == 0 ? "c" : "d";
                w.Line($"Vector256<byte> v{k} = Vector256.Load(p + {QuantOffset(kernel) + 32 * k});");
                w.Line($"{lo} = Dot({lo}, {LowQuants256(kernel, k)}, Vector256.Create(*(int*)(x + {4 * k})).AsSByte());");
                w.Line($"{hi} = Dot({hi}, {HighQuants256(kernel, k)}, Vector256.Create(*(int*)(x + {16 + 4 * k})).AsSByte());");
            }
        }
        else
        {
            string[] accs = { "a", "b", "c", "d" };
            for (int k = 0; k < 8; k++)
                w.Line($"{accs[k % 4]} = Dot({accs[k % 4]}, Vector256.Load(p + {16 + 32 * k}), Vector256.Create(*(int*)(x + {4 * k})).AsSByte());");
        }
        if (HasMin(kernel))
        {
            w.Line("acc = Fma.MultiplyAdd(Avx.ConvertToVector256Single((a + b) + (c + d)), Scales(p) * Vector256.Create(xd), acc);");
            w.Line($"return Fma.MultiplyAdd(Scales(p + {MinOffset}), Vector256.Create(xd * xs), acc);");
        }
        else
        {
            w.Line("return Fma.MultiplyAdd(Avx.ConvertToVector256Single((a + b) + (c + d)), Scales(p) * Vector256.Create(xd), acc);");
        }
        w.Close();
    }

    /// <summary>The nibble mask and, for Q5_0/Q5_1, the 8 rows' transposed fifth-bit words <c>h</c> of the block at <paramref name="block"/>.</summary>
    private static void EmitNibbleConstants256(SourceWriter w, MatVecKernel kernel, string block)
    {
        w.Line("Vector256<byte> mask = Vector256.Create((byte)0x0F);");
        if (!HasHigh(kernel)) return;
        w.Line($"Vector256<uint> h = Vector256.Load((uint*)({block} + {HighOffset(kernel)})), fifth = Vector256.Create(0x10101010u);");
    }

    /// <summary>
    /// Chunk <paramref name="k"/>'s low nibbles (elements 4k..4k+3 of each row), as unsigned bytes; with the fifth bits,
    /// which sit at bit k of each byte of <c>h</c>, shifted up to bit 4.
    /// </summary>
    private static string LowQuants256(MatVecKernel kernel, int k) =>
        HasHigh(kernel) ? $"((v{k} & mask) | (Vector256.ShiftLeft(h, {4 - k}) & fifth).AsByte())" : $"v{k} & mask";

    /// <summary>Chunk <paramref name="k"/>'s high nibbles (elements 16+4k..16+4k+3); fifth bits at bit 4+k of each byte of <c>h</c>.</summary>
    private static string HighQuants256(MatVecKernel kernel, int k)
    {
        string nibbles = $"Vector256.ShiftRightLogical(v{k}.AsUInt16(), 4).AsByte() & mask";
        if (!HasHigh(kernel)) return nibbles;
        string bits = k == 0 ? "h & fifth" : $"Vector256.ShiftRightLogical(h, {k}) & fifth";
        return $"(({nibbles}) | ({bits}).AsByte())";
    }

    private static void EmitDot256(SourceWriter w, MatVecKernel kernel)
    {
        bool q4 = HasNibbles(kernel);
        w.Line();
        w.Line("// acc + sums of 4 adjacent u8 x s8 products per 32-bit lane. AVX-VNNI's vpdpbusd does it in one instruction;");
        w.Line("// IsSupported is a JIT-time constant, so only one branch is compiled.");
        w.Line("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
        w.Open("static Vector256<int> Dot(Vector256<int> acc, Vector256<byte> u, Vector256<sbyte> x)");
        w.Line("if (AvxVnni.IsSupported) return AvxVnni.MultiplyWideningAndAdd(acc, u, x);");
        if (q4)
        {
            w.Line(HasHigh(kernel)
                ? "// vpmaddubsw: pairs of 5-bit quants give at most 2 * 31 * 127, so the 16-bit step never saturates."
                : "// vpmaddubsw: nibble pairs give at most 2 * 15 * 127, so the 16-bit step never saturates.");
            w.Line("return acc + Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(u, x), Vector256.Create((short)1));");
        }
        else
        {
            w.Line("// vpmaddubsw would saturate on (q + 128) * x, so use the signed quants, |q| as the unsigned operand and q's sign on x");
            w.Line("// (pairs at most 2 * 128 * 127); then no offset is subtracted (Correction returns 0 on this path).");
            w.Line("Vector256<sbyte> q = (u ^ Vector256.Create((byte)0x80)).AsSByte();");
            w.Line("return acc + Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(Avx2.Abs(q), Avx2.Sign(x, q)), Vector256.Create((short)1));");
            w.Close();
            w.Line();
            w.Line("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
            w.Line("static int Correction(int sum) => AvxVnni.IsSupported ? -128 * sum : 0;");
            return;
        }
        w.Close();
    }

    private static void EmitStoreGroup256(SourceWriter w)
    {
        w.Line();
        w.Line("// Stores the group's rows that lie in [rowStart, rowEnd): all 8 at once when the group is inside the range.");
        w.Line("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
        w.Open("static void StoreGroup(Vector256<float> sums, float* y, int first, int rowStart, int rowEnd)");
        w.Open("if (first >= rowStart && first + 8 <= rowEnd)");
        w.Line("sums.Store(y + first);");
        w.Line("return;");
        w.Close();
        w.Line("for (int lane = 0; lane < 8; lane++)");
        w.Line("    if (first + lane >= rowStart && first + lane < rowEnd) y[first + lane] = sums.GetElement(lane);");
        w.Close();
    }

    private static void EmitScales256(SourceWriter w)
    {
        w.Line();
        w.Line("// The group's 8 f16 scales (or minimums) at p as floats (exact; see the remarks of the kernel emitter): bits into the");
        w.Line("// lane's top half, arithmetic shift right by 3, clear the copies of the sign, times 2^112.");
        w.Line("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
        w.Open("static Vector256<float> Scales(byte* p)");
        w.Line("Vector256<int> bits = Avx2.ConvertToVector256Int32((ushort*)p) << 16;");
        w.Line("Vector256<int> single = Avx2.ShiftRightArithmetic(bits, 3) & Vector256.Create(unchecked((int)0x8FFFFFFF));");
        w.Line("return single.AsSingle() * Vector256.Create(0x77800000).AsSingle();");
        w.Close();
    }

    /// <summary>
    /// One block of a group with 128-bit vectors: rows 0..3 in <c>acc0</c>, 4..7 in <c>acc1</c>. NEON uses sdot
    /// (<c>Dp</c>, signed x signed, so Q8_0 quants get their sign back and need no offset) or, without FEAT_DotProd,
    /// widening multiplies and pairwise adds; the portable Vector128 variant widens to 16 and 32 bits.
    /// </summary>
    private static void EmitInterleavedBlock128(SourceWriter w, MatVecKernel kernel, string isa)
    {
        bool nibbles = HasNibbles(kernel), high = HasHigh(kernel);
        bool neon = isa == "Neon";
        w.Line();
        w.Line("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
        w.Open("static void Block(byte* p, sbyte* x, float xd, int xs, ref Vector128<float> acc0, ref Vector128<float> acc1)");
        // Signed weights: nibbles and 5-bit quants stay 0..15 / 0..31 (Q4_0's and Q5_0's offset subtracted through the sum),
        // Q8_0 quants get their sign back. "lo" holds rows 0..3 (first half of each chunk), "hi" rows 4..7.
        w.Line($"Vector128<int> lo = Vector128.Create({(nibbles ? InitialSum(kernel) : "0")}), hi = lo;");
        if (high)
        {
            // The fifth bits of vector j (elements 4j..4j+3) sit at bit j of each byte of a row's transposed word.
            w.Line($"Vector128<uint> h0 = Vector128.Load((uint*)(p + {HighOffset(kernel)})), h1 = Vector128.Load((uint*)(p + {HighOffset(kernel) + 16}));");
            w.Line("Vector128<uint> fifth = Vector128.Create(0x10101010u);");
        }
        for (int k = 0; k < Chunks(kernel); k++)
        {
            for (int half = 0; half < 2; half++)
            {
                string acc = half == 0 ? "lo" : "hi";
                if (nibbles)
                {
                    string n = $"n{k}{half}";
                    w.Line($"Vector128<byte> {n} = Vector128.Load(p + {QuantOffset(kernel) + 32 * k + 16 * half});");
                    string low = $"({n} & Vector128.Create((byte)0x0F))", upper = $"Vector128.ShiftRightLogical({n}, 4)";
                    if (high)
                    {
                        string h = $"h{half}";
                        low = $"({low} | (Vector128.ShiftLeft({h}, {4 - k}) & fifth).AsByte())";
                        upper = $"({upper} | ({(k == 0 ? h : $"Vector128.ShiftRightLogical({h}, {k})")} & fifth).AsByte())";
                    }
                    w.Line($"{acc} = Dot4({acc}, {low}.AsSByte(), Vector128.Create(*(int*)(x + {4 * k})).AsSByte());");
                    w.Line($"{acc} = Dot4({acc}, {upper}.AsSByte(), Vector128.Create(*(int*)(x + {16 + 4 * k})).AsSByte());");
                }
                else
                {
                    w.Line($"{acc} = Dot4({acc}, (Vector128.Load(p + {16 + 32 * k + 16 * half}) ^ Vector128.Create((byte)0x80)).AsSByte(), Vector128.Create(*(int*)(x + {4 * k})).AsSByte());");
                }
            }
        }
        w.Line("(Vector128<float> s0, Vector128<float> s1) = Scales(p);");
        w.Line("Vector128<float> scale = Vector128.Create(xd);");
        w.Line("acc0 = Vector128.MultiplyAddEstimate(Vector128.ConvertToSingle(lo), s0 * scale, acc0);");
        w.Line("acc1 = Vector128.MultiplyAddEstimate(Vector128.ConvertToSingle(hi), s1 * scale, acc1);");
        if (HasMin(kernel))
        {
            w.Line("// The minimum's term: m_w * (d_x * sum(x_q)).");
            w.Line($"(Vector128<float> m0, Vector128<float> m1) = Scales(p + {MinOffset});");
            w.Line("Vector128<float> total = Vector128.Create(xd * xs);");
            w.Line("acc0 = Vector128.MultiplyAddEstimate(m0, total, acc0);");
            w.Line("acc1 = Vector128.MultiplyAddEstimate(m1, total, acc1);");
        }
        w.Close();
        w.Line();
        w.Line("// acc + per 32-bit lane the sum of its 4 byte products (both operands signed, |products| <= 128 * 127).");
        w.Line("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
        w.Open("static Vector128<int> Dot4(Vector128<int> acc, Vector128<sbyte> a, Vector128<sbyte> b)");
        if (neon)
        {
            w.Line("if (Dp.IsSupported) return Dp.DotProduct(acc, a, b);");
            w.Line("Vector128<int> lower = AdvSimd.AddPairwiseWidening(AdvSimd.MultiplyWideningLower(a.GetLower(), b.GetLower()));");
            w.Line("Vector128<int> upper = AdvSimd.AddPairwiseWidening(AdvSimd.MultiplyWideningUpper(a, b));");
            w.Line("return acc + AdvSimd.Arm64.AddPairwise(lower, upper);");
        }
        else
        {
            w.Line("(Vector128<short> a0, Vector128<short> a1) = Vector128.Widen(a);");
            w.Line("(Vector128<short> b0, Vector128<short> b1) = Vector128.Widen(b);");
            w.Line("(Vector128<int> p0, Vector128<int> p1) = Vector128.Widen(a0 * b0); // lanes 0, 1: 4 products each");
            w.Line("(Vector128<int> p2, Vector128<int> p3) = Vector128.Widen(a1 * b1); // lanes 2, 3");
            w.Line("return acc + Sum4(p0, p1, p2, p3);");
        }
        w.Close();
        if (!neon)
        {
            w.Line();
            w.Line("// Lane i of the result = sum of the 4 products of output lane i (p0 = lane 0's, p1 = lane 1's, ...).");
            w.Line("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
            w.Line("static Vector128<int> Sum4(Vector128<int> p0, Vector128<int> p1, Vector128<int> p2, Vector128<int> p3) =>");
            w.Line("    Vector128.Create(Vector128.Sum(p0), Vector128.Sum(p1), Vector128.Sum(p2), Vector128.Sum(p3));");
        }
    }

    private static void EmitStoreGroup128(SourceWriter w)
    {
        w.Line();
        w.Line("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
        w.Open("static void StoreGroup(Vector128<float> low, Vector128<float> high, float* y, int first, int rowStart, int rowEnd)");
        w.Open("if (first >= rowStart && first + 8 <= rowEnd)");
        w.Line("low.Store(y + first);");
        w.Line("high.Store(y + first + 4);");
        w.Line("return;");
        w.Close();
        w.Line("for (int lane = 0; lane < 8; lane++)");
        w.Line("    if (first + lane >= rowStart && first + lane < rowEnd) y[first + lane] = lane < 4 ? low.GetElement(lane) : high.GetElement(lane - 4);");
        w.Close();
    }

    private static void EmitScales128(SourceWriter w)
    {
        w.Line();
        w.Line("// The group's 8 f16 scales (or minimums) at p as floats, rows 0..3 and 4..7 (exact; same integer steps as the 256-bit variants).");
        w.Line("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
        w.Open("static (Vector128<float>, Vector128<float>) Scales(byte* p)");
        w.Line("(Vector128<uint> b0, Vector128<uint> b1) = Vector128.Widen(Vector128.Load((ushort*)p));");
        w.Line("Vector128<int> mask = Vector128.Create(unchecked((int)0x8FFFFFFF));");
        w.Line("Vector128<float> power = Vector128.Create(0x77800000).AsSingle();");
        w.Line("Vector128<float> s0 = (Vector128.ShiftRightArithmetic((b0 << 16).AsInt32(), 3) & mask).AsSingle() * power;");
        w.Line("Vector128<float> s1 = (Vector128.ShiftRightArithmetic((b1 << 16).AsInt32(), 3) & mask).AsSingle() * power;");
        w.Line("return (s0, s1);");
        w.Close();
    }

    /// <summary>Tokens per tile of the batched kernels: their 8 unpacked weight vectors plus one accumulator per token stay in registers.</summary>
    private static int TokenTile(string isa) => isa == "Avx512" ? 4 : 2;

    /// <summary>
    /// Emits <c>{kernel.BatchName}_{isa}</c> for the x86 variants: for each group of 8 rows (the outer loop, so the group's
    /// weights are read from memory once and stay in L1 while every token passes), the block's weights are unpacked once
    /// per tile of tokens and multiplied with each token's input.
    /// </summary>
    public static void EmitInterleavedBatch(SourceWriter w, MatVecKernel kernel, string isa)
    {
        bool nibbles = HasNibbles(kernel), min = HasMin(kernel);
        int tile = TokenTile(isa);
        w.Line($"/// <summary>{Describe(kernel)}, for each of <paramref name=\"tokens\"/> inputs; {isa} variant.</summary>");
        w.Open($"public static void {kernel.BatchName}_{isa}(byte* weights, float* x, byte* xq8, float* y, int tokens, int rowStart, int rowEnd)");
        w.Line($"const int Rows = {kernel.Rows};");
        w.Line("Debug.Assert(0 <= rowStart && rowStart <= rowEnd && rowEnd <= Rows, \"rows out of range\");");
        w.Line(isa == "Avx512"
            ? "if (!Avx512F.IsSupported || !Avx512BW.IsSupported) throw new PlatformNotSupportedException(\"AVX-512 F and BW are required.\");"
            : "if (!Avx2.IsSupported || !Fma.IsSupported) throw new PlatformNotSupportedException(\"AVX2 and FMA are required.\");");
        w.Line($"const int Blocks = {kernel.Columns / BlockValues};");
        w.Line($"const int GroupBlockBytes = {GroupBlockBytes(kernel)};");
        w.Line("const int GroupBytes = Blocks * GroupBlockBytes;");
        w.Line("const int InputBytes = Blocks * 40; // one token's input (ActivationQuantizer.KernelInputBytes)");
        w.Line($"const int Tile = {tile};");
        w.Line("// Even and odd blocks go to separate accumulators, summed at the end, exactly as the single-token kernel adds them:");
        w.Line("// a token's result is bit-identical whichever kernel computes it.");
        w.Open("for (int g = rowStart / 8; g * 8 < rowEnd; g++)");
        w.Line("byte* p = weights + (nint)g * GroupBytes;");
        w.Line("int t = 0;");
        w.Open("for (; t + Tile <= tokens; t += Tile)");
        for (int i = 0; i < tile; i++)
            w.Line($"byte* in{i} = xq8 + (nint)(t + {i}) * InputBytes; Vector256<float> even{i} = Vector256<float>.Zero, odd{i} = Vector256<float>.Zero;");
        EmitBatchBlocks(w, kernel, tile, i => $"in{i}", i => $"even{i}", i => $"odd{i}");
        for (int i = 0; i < tile; i++)
            w.Line($"StoreGroup(even{i} + odd{i}, y + (nint)(t + {i}) * Rows, g * 8, rowStart, rowEnd);");
        w.Close();
        w.Open("for (; t < tokens; t++)");
        w.Line("byte* input = xq8 + (nint)t * InputBytes;");
        w.Line("Vector256<float> even = Vector256<float>.Zero, odd = Vector256<float>.Zero;");
        EmitBatchBlocks(w, kernel, 1, _ => "input", _ => "even", _ => "odd");
        w.Line("StoreGroup(even + odd, y + (nint)t * Rows, g * 8, rowStart, rowEnd);");
        w.Close();
        w.Close();

        w.Line();
        w.Line("// One token: acc + (8 rows' block product) * d_w * d_x, with the block's weights already unpacked; the float");
        w.Line("// operations are the single-token kernel's, in the same order.");
        w.Line("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
        w.Open("static Vector256<float> Token(Vector256<byte> w0, Vector256<byte> w1, Vector256<byte> w2, Vector256<byte> w3, " +
               "Vector256<byte> w4, Vector256<byte> w5, Vector256<byte> w6, Vector256<byte> w7, byte* input, int b, Vector256<float> s, " +
               (min ? "Vector256<float> m, " : "") + "Vector256<float> acc)");
        w.Line("sbyte* x = (sbyte*)input + b * 32;");
        w.Line("float xd = ((float*)(input + Blocks * 32))[b];");
        w.Line("int xs = ((int*)(input + Blocks * 36))[b];");
        w.Line($"Vector256<int> a = Vector256.Create({InitialSum(kernel)}), c = Vector256<int>.Zero;");
        for (int k = 0; k < 8; k++)
        {
            // Nibble types: w(2k) = chunk k's low nibbles (x 4k..), w(2k+1) = its high nibbles (x 16+4k..); Q8_0: w(k) = chunk k (x 4k..).
            int xo = nibbles ? (k % 2 == 0 ? 4 * (k / 2) : 16 + 4 * (k / 2)) : 4 * k;
            string acc = k % 2 == 0 ? "a" : "c";
            w.Line($"{acc} = Dot({acc}, w{k}, Vector256.Create(*(int*)(x + {xo})).AsSByte());");
        }
        if (min)
        {
            w.Line("acc = Fma.MultiplyAdd(Avx.ConvertToVector256Single(a + c), s * Vector256.Create(xd), acc);");
            w.Line("return Fma.MultiplyAdd(m, Vector256.Create(xd * xs), acc);");
        }
        else
        {
            w.Line("return Fma.MultiplyAdd(Avx.ConvertToVector256Single(a + c), s * Vector256.Create(xd), acc);");
        }
        w.Close();
        EmitStoreGroup256(w);
        EmitScales256(w);
        EmitDot256(w, kernel);
        w.Close();
        w.Line();
    }

    /// <summary>The block loop of a tile: blocks 2i and 2i+1 into the even and odd accumulators, an odd last block into even.</summary>
    private static void EmitBatchBlocks(SourceWriter w, MatVecKernel kernel, int tokens, System.Func<int, string> input,
        System.Func<int, string> even, System.Func<int, string> odd)
    {
        w.Line("int b = 0;");
        w.Open("for (; b + 2 <= Blocks; b += 2)");
        EmitBatchBlock(w, kernel, tokens, "b", input, even);
        EmitBatchBlock(w, kernel, tokens, "b + 1", input, odd);
        w.Close();
        if (kernel.Columns / BlockValues % 2 != 0) EmitBatchBlock(w, kernel, tokens, "b", input, even);
    }

    private static void EmitBatchBlock(SourceWriter w, MatVecKernel kernel, int tokens, string block, System.Func<int, string> input, System.Func<int, string> acc)
    {
        w.Open($"// block {block}: unpack the 8 rows' weights once, then every token of the tile");
        EmitUnpack(w, kernel, block);
        for (int i = 0; i < tokens; i++)
            w.Line($"{acc(i)} = Token(w0, w1, w2, w3, w4, w5, w6, w7, {input(i)}, {block}, s, {(HasMin(kernel) ? "m, " : "")}{acc(i)});");
        w.Close();
    }

    private static void EmitUnpack(SourceWriter w, MatVecKernel kernel, string block)
    {
        w.Line($"byte* q = p + ({block}) * GroupBlockBytes;");
        w.Line("Vector256<float> s = Scales(q);");
        if (HasMin(kernel)) w.Line($"Vector256<float> m = Scales(q + {MinOffset});");
        if (HasNibbles(kernel))
        {
            EmitNibbleConstants256(w, kernel, "q");
            for (int k = 0; k < 4; k++)
            {
                w.Line($"Vector256<byte> v{k} = Vector256.Load(q + {QuantOffset(kernel) + 32 * k});");
                w.Line($"Vector256<byte> w{2 * k} = {LowQuants256(kernel, k)}, w{2 * k + 1} = {HighQuants256(kernel, k)};");
            }
        }
        else
        {
            for (int k = 0; k < 8; k++) w.Line($"Vector256<byte> w{k} = Vector256.Load(q + {16 + 32 * k});");
        }
    }
}
