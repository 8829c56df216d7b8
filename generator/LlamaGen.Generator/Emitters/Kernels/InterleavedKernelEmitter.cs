using System;
using LlamaGen.Generator.Helpers;
using LlamaGen.Generator.Shared;

namespace LlamaGen.Generator.Emitters.Kernels;

/// <summary>
/// Kernels for the 32-element block types (Q4_0, Q4_1, Q5_0, Q5_1, Q8_0) over the interleaved layout the runtime repacks
/// the weights into at load (<see cref="RepackedLayouts.LegacyLayout"/>): groups of 8 rows, and per group and 32-column
/// block the 8 rows' f16 scales (then, by type, the 8 f16 minimums and the 8 transposed fifth-bit words) followed by
/// 32-byte chunks holding 4 consecutive quants of each of the 8 rows.
/// </summary>
/// <remarks>
/// One 256-bit load times the 4 matching activation bytes broadcast to every lane (<c>vpdpbusd</c>, AVX-VNNI) adds 4
/// products to each row's 32-bit lane, so a block costs a handful of integer instructions per 8 rows and one convert +
/// one FMA per 8 rows. The weights are unsigned bytes (Q4_0/Q4_1 nibbles 0..15, Q5_0/Q5_1 5-bit quants 0..31, Q8_0
/// quants + 128) because x86 multiplies unsigned by signed bytes; the offset comes back out through the activation
/// block's sum (<c>- 8 * sum(x)</c>, <c>- 16 * sum(x)</c> or <c>- 128 * sum(x)</c>), which the quantizer precomputes.
/// The input <c>xq8</c> is <c>ActivationQuantizer.QuantizeKernelInput</c>'s layout: all quants, then the float scales,
/// then the int sums (<see cref="RepackedLayouts.Q8_0InputBytes"/>).
///
/// Q4_1 and Q5_1 (value <c>d * q + m</c>) add, per block and row, <c>m * d_x * sum(x_q)</c>: a second FMA per 8 rows,
/// with the same precomputed sum. llama.cpp multiplies these two types with Q8_1 activations, whose sum term is stored as
/// an f16; reusing the Q8_0 input with an exact integer sum is the same math, slightly more exact, and saves a second
/// activation quantization per product. Q5_0 and Q5_1 OR the fifth bit into bit 4 of each unpacked nibble: the layout
/// stores it transposed so that a 32-bit shift and an AND put it there.
///
/// The 8 f16 scales of a group are widened to floats in integer lanes (shifted to the top half of the lane, shifted
/// right arithmetically by 3, times 2^112): exact for finite scales; the repacking refuses infinite or NaN ones at load.
/// Rows: kernels compute whole groups and store only the rows in <c>[rowStart, rowEnd)</c>, so any range works; ranges
/// aligned to 8 (what the worker pool hands out) waste nothing.
/// </remarks>
internal static class InterleavedKernelEmitter
{
    public static bool Handles(GgmlType type) => GgmlBlocks.IsLegacyQuant(type);

    /// <summary>Whether <paramref name="isa"/> has a batched kernel of its own (x86: the block's weights unpacked once per tile of tokens).</summary>
    public static bool HasMatMul(KernelIsa isa) => isa is KernelIsa.Avx2 or KernelIsa.Avx512;

    /// <summary>Whether <paramref name="isa"/> has its own matrix-vector kernel (AVX-512 runs the AVX2 one: .NET 10 has no 512-bit vpdpbusd).</summary>
    public static bool HasMatVec(KernelIsa isa) => isa != KernelIsa.Avx512;

    private static RepackedLayouts.LegacyLayout Layout(GgmlType type) => RepackedLayouts.Legacy(type);

    /// <summary>The integer sum's start: takes the unsigned weights' offset back out through the activation sum <c>xs</c>.</summary>
    private static string InitialSum(GgmlType type) => type switch
    {
        GgmlType.Q4_0 => "-8 * xs",
        GgmlType.Q5_0 => "-16 * xs",
        GgmlType.Q8_0 => "CorrectionQ8_0(xs)",
        _ => "0",
    };

    private static void Preamble(SourceWriter w, KernelShape shape)
    {
        var layout = Layout(shape.Type);
        shape.Int(w, "Blocks", c => c / 32, "columns / 32");
        w.Line($"const int GroupBlockBytes = {layout.GroupBlockBytes}; // 8 rows x one {shape.TypeName} block, interleaved");
        shape.Derived(w, "GroupBytes", "Blocks * GroupBlockBytes");
        w.Line("// The input: per block 32 quants, a float scale, an int sum (40 bytes; ActivationQuantizer.QuantizeKernelInput).");
    }

    /// <summary>Emits <c>MatVec_{type}[_{columns}]</c> into an open kernel class.</summary>
    public static void EmitMatVec(SourceWriter w, KernelShape shape, KernelIsa isa, HelperSet helpers)
    {
        string h = KernelIsas.HelperClass(isa);
        GgmlType type = shape.Type;
        w.Line($"/// <summary>y[r] = dot(weight row r, xq8) for r in [rowStart, rowEnd) of an interleaved {shape.TypeName} matrix{FloatKernelEmitter.RowsOf(shape)}; xq8 from ActivationQuantizer.QuantizeKernelInput.</summary>");
        w.Open($"public static void {shape.MatVecName}(byte* weights, float* x, byte* xq8, float* y, int rowStart, int rowEnd{shape.ColumnsParameter})");
        KernelIsas.EmitGuard(w, isa);
        Preamble(w, shape);
        w.Open("for (int g = rowStart / 8; g * 8 < rowEnd; g++)");
        w.Line("byte* p = weights + (nint)g * GroupBytes;");
        switch (isa)
        {
            case KernelIsa.Scalar:
            {
                string row = helpers.Require("Row" + type, hw => EmitScalarRow(hw, type));
                w.Open("for (int lane = 0; lane < 8; lane++)");
                w.Line("int row = g * 8 + lane;");
                w.Line($"if (row >= rowStart && row < rowEnd) y[row] = {h}.{row}(p, lane, Blocks, xq8);");
                w.Close();
                break;
            }
            case KernelIsa.Vector128:
            case KernelIsa.Neon:
            {
                string block = RequireBlock128(helpers, type, isa);
                string store = RequireStoreGroup128(helpers);
                w.Line("Vector128<float> acc0 = Vector128<float>.Zero, acc1 = Vector128<float>.Zero;");
                w.Line($"for (int b = 0; b < Blocks; b++) {h}.{block}(p + b * GroupBlockBytes, {Input("b")}, ref acc0, ref acc1);");
                w.Line($"{h}.{store}(acc0, acc1, y, g * 8, rowStart, rowEnd);");
                break;
            }
            default:
            {
                string block = RequireBlock256(helpers, type);
                string store = RequireStoreGroup256(helpers);
                // Two blocks per iteration into two accumulators: independent chains for the out-of-order core.
                w.Line("Vector256<float> acc0 = Vector256<float>.Zero, acc1 = Vector256<float>.Zero;");
                w.Line("int b = 0;");
                w.Open("for (; b + 2 <= Blocks; b += 2)");
                w.Line($"acc0 = {h}.{block}(p + b * GroupBlockBytes, {Input("b")}, acc0);");
                w.Line($"acc1 = {h}.{block}(p + (b + 1) * GroupBlockBytes, {Input("(b + 1)")}, acc1);");
                w.Close();
                if (shape.Maybe(c => c / 32 % 2 != 0))
                    w.Line($"{(shape.Columns is null ? "if (b < Blocks) " : "")}acc0 = {h}.{block}(p + b * GroupBlockBytes, {Input("b")}, acc0);");
                w.Line($"{h}.{store}(acc0 + acc1, y, g * 8, rowStart, rowEnd);");
                break;
            }
        }
        w.Close();
        w.Close();
        w.Line();
    }

    /// <summary>Tokens per tile of the batched kernels: their 8 unpacked weight vectors plus one accumulator per token stay in registers.</summary>
    private static int TokenTile(KernelIsa isa) => isa == KernelIsa.Avx512 ? 4 : 2;

    /// <summary>
    /// Emits <c>MatMul_{type}[_{columns}]</c> for the x86 ISAs: for each group of 8 rows (the outer loop, so the group's
    /// weights are read from memory once and stay in L1 while every token passes), each block's weights are unpacked once
    /// per tile of tokens and multiplied with each token's input. Even and odd blocks go to separate accumulators, summed at
    /// the end exactly as the single-token kernel adds them: a token's result is bit-identical whichever kernel computes it.
    /// </summary>
    public static void EmitMatMul(SourceWriter w, KernelShape shape, KernelIsa isa, HelperSet helpers)
    {
        // Both x86 ISAs share the 256-bit helpers (in the AVX2 class).
        string h = KernelIsas.HelperClass(KernelIsa.Avx2);
        GgmlType type = shape.Type;
        int tile = TokenTile(isa);
        string one = RequireTile(helpers, type, 1);
        string many = RequireTile(helpers, type, tile);
        string store = RequireStoreGroup256(helpers);
        w.Line($"/// <summary>y[t][r] = dot(weight row r, xq8[t]) for r in [rowStart, rowEnd) and each of <paramref name=\"tokens\"/> inputs (y rows of <paramref name=\"rows\"/>); {shape.TypeName}{FloatKernelEmitter.RowsOf(shape)}.</summary>");
        w.Open($"public static void {shape.MatMulName}(byte* weights, float* x, byte* xq8, float* y, int rows, int tokens, int rowStart, int rowEnd{shape.ColumnsParameter})");
        KernelIsas.EmitGuard(w, isa);
        var layout = Layout(type);
        shape.Int(w, "Blocks", c => c / 32, "columns / 32");
        w.Line($"const int GroupBlockBytes = {layout.GroupBlockBytes};");
        shape.Derived(w, "GroupBytes", "Blocks * GroupBlockBytes");
        shape.Derived(w, "InputBytes", "Blocks * 40", "one token's input (ActivationQuantizer.KernelInputBytes)");
        w.Open("for (int g = rowStart / 8; g * 8 < rowEnd; g++)");
        w.Line("byte* p = weights + (nint)g * GroupBytes;");
        w.Line("int t = 0;");
        w.Open($"for (; t + {tile} <= tokens; t += {tile})");
        string inputs = "", accsEven = "", accsOdd = "";
        for (int i = 0; i < tile; i++)
        {
            w.Line($"byte* in{i} = xq8 + (nint)(t + {i}) * InputBytes; Vector256<float> even{i} = Vector256<float>.Zero, odd{i} = Vector256<float>.Zero;");
            inputs += $", in{i}";
            accsEven += $", ref even{i}";
            accsOdd += $", ref odd{i}";
        }
        w.Line("int b = 0;");
        w.Open("for (; b + 2 <= Blocks; b += 2)");
        w.Line($"{h}.{many}(p + b * GroupBlockBytes, {Offsets("b")}{inputs}{accsEven});");
        w.Line($"{h}.{many}(p + (b + 1) * GroupBlockBytes, {Offsets("(b + 1)")}{inputs}{accsOdd});");
        w.Close();
        if (shape.Maybe(c => c / 32 % 2 != 0))
            w.Line($"{(shape.Columns is null ? "if (b < Blocks) " : "")}{h}.{many}(p + b * GroupBlockBytes, {Offsets("b")}{inputs}{accsEven});");
        for (int i = 0; i < tile; i++)
            w.Line($"{h}.{store}(even{i} + odd{i}, y + (nint)(t + {i}) * rows, g * 8, rowStart, rowEnd);");
        w.Close();
        w.Open("for (; t < tokens; t++)");
        w.Line("byte* input = xq8 + (nint)t * InputBytes;");
        w.Line("Vector256<float> even = Vector256<float>.Zero, odd = Vector256<float>.Zero;");
        w.Line("int b = 0;");
        w.Open("for (; b + 2 <= Blocks; b += 2)");
        w.Line($"{h}.{one}(p + b * GroupBlockBytes, {Offsets("b")}, input, ref even);");
        w.Line($"{h}.{one}(p + (b + 1) * GroupBlockBytes, {Offsets("(b + 1)")}, input, ref odd);");
        w.Close();
        if (shape.Maybe(c => c / 32 % 2 != 0))
            w.Line($"{(shape.Columns is null ? "if (b < Blocks) " : "")}{h}.{one}(p + b * GroupBlockBytes, {Offsets("b")}, input, ref even);");
        w.Line($"{h}.{store}(even + odd, y + (nint)t * rows, g * 8, rowStart, rowEnd);");
        w.Close();
        w.Close();
        w.Close();
        w.Line();
    }

    /// <summary>
    /// Block <paramref name="b"/>'s offset in a token's input, shared by every token of a tile: its quants, scale and sum
    /// are then constant displacements from it, so each load is one addressing mode whatever the row length.
    /// </summary>
    private static string Offsets(string b) => $"{b} * 40";

    /// <summary>The single-token kernels' arguments for block <paramref name="b"/> of the input: its quants, scale and sum.</summary>
    private static string Input(string b) => $"(sbyte*)(xq8 + {b} * 40), *(float*)(xq8 + {b} * 40 + 32), *(int*)(xq8 + {b} * 40 + 36)";

    // ---- Scalar ----

    /// <summary>One row's sum over the blocks of its group: integer dot products exactly as the layout defines them.</summary>
    private static void EmitScalarRow(SourceWriter w, GgmlType type)
    {
        var layout = Layout(type);
        w.Line($"/// <summary>Row <paramref name=\"lane\"/> of the interleaved {type} group at <paramref name=\"group\"/> times the input, block by block.</summary>");
        w.Open($"public static float Row{type}(byte* group, int lane, int blocks, byte* input)");
        w.Line("float sum = 0f;");
        w.Open("for (int b = 0; b < blocks; b++)");
        w.Line($"byte* block = group + b * {layout.GroupBlockBytes};");
        w.Line("sbyte* xb = (sbyte*)(input + b * 40);");
        w.Line("float xd = *(float*)(input + b * 40 + 32);");
        w.Line("int dot = 0;");
        // Bit 8i + j of the transposed word is the fifth bit of element 4j + i (InterleavedLayout).
        if (layout.HasHigh) w.Line($"uint h = *(uint*)(block + {layout.HighOffset} + 4 * lane);");
        w.Open($"for (int k = 0; k < {layout.Chunks}; k++)");
        w.Open("for (int i = 0; i < 4; i++)");
        w.Line($"int u = block[{layout.QuantOffset} + 32 * k + 4 * lane + i];");
        if (layout.HasNibbles)
        {
            string offset = type switch { GgmlType.Q4_0 => " - 8", GgmlType.Q5_0 => " - 16", _ => "" };
            string low = layout.HasHigh ? "((u & 0xF) | (int)(h >> (8 * i + k) & 1) << 4)" : "(u & 0xF)";
            string high = layout.HasHigh ? "((u >> 4) | (int)(h >> (8 * i + k + 4) & 1) << 4)" : "(u >> 4)";
            string Term(string q) => offset.Length == 0 ? q : $"({q}{offset})";
            w.Line($"dot += {Term(low)} * xb[4 * k + i] + {Term(high)} * xb[16 + 4 * k + i];");
        }
        else
        {
            w.Line("dot += (u - 128) * xb[4 * k + i];");
        }
        w.Close();
        w.Close();
        w.Line("sum += dot * ((float)*(Half*)(block + 2 * lane) * xd);");
        if (layout.HasMin) w.Line($"sum += (float)*(Half*)(block + {layout.MinOffset} + 2 * lane) * (xd * *(int*)(input + b * 40 + 36));");
        w.Close();
        w.Line("return sum;");
        w.Close();
    }

    // ---- 256-bit (AVX2; AVX-512 uses the same code) ----

    private static string RequireBlock256(HelperSet helpers, GgmlType type)
    {
        RequireScales256(helpers);
        RequireDot256(helpers, type);
        return helpers.Require("Block" + type, w => EmitBlock256(w, type));
    }

    private static void EmitBlock256(SourceWriter w, GgmlType type)
    {
        var layout = Layout(type);
        string dot = DotName(type);
        w.Line($"/// <summary>acc + (8 rows' {type} block product) * d_w * d_x{(layout.HasMin ? " + m_w * (d_x * sum(x_q))" : "")}: four independent chains of dot products (lo/hi halves, even/odd chunks).</summary>");
        w.Line("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
        w.Open($"public static Vector256<float> Block{type}(byte* p, sbyte* x, float xd, int xs, Vector256<float> acc)");
        if (layout.HasNibbles)
        {
            // Without VNNI, vpmaddubsw's 16-bit pair sums of small quants are added before one widening vpmaddwd.
            w.Open($"if (!({KernelIsas.UsesVnni}))");
            EmitNibbleConstants256(w, layout, "p");
            for (int k = 0; k < 4; k++) w.Line($"Vector256<byte> v{k} = Vector256.Load(p + {layout.QuantOffset + 32 * k});");
            var chunks = new string[8];
            for (int k = 0; k < 4; k++)
            {
                chunks[2 * k] = LowQuants256(layout, k);
                chunks[2 * k + 1] = HighQuants256(layout, k);
            }
            EmitPairSums256(w, layout, chunks);
            w.Line($"acc = Fma.MultiplyAdd(Avx.ConvertToVector256Single(Vector256.Create({InitialSum(type)}) + sum), Scales(p) * Vector256.Create(xd), acc);");
            w.Line(layout.HasMin ? $"return Fma.MultiplyAdd(Scales(p + {layout.MinOffset}), Vector256.Create(xd * xs), acc);" : "return acc;");
            w.Close();
            w.Open("else");
        }
        w.Line($"Vector256<int> a = Vector256.Create({InitialSum(type)}), b = Vector256<int>.Zero, c = Vector256<int>.Zero, d = Vector256<int>.Zero;");
        if (layout.HasNibbles)
        {
            EmitNibbleConstants256(w, layout, "p");
            for (int k = 0; k < 4; k++)
            {
                string lo = k % 2 == 0 ? "a" : "b", hi = k % 2 == 0 ? "c" : "d";
                w.Line($"Vector256<byte> v{k} = Vector256.Load(p + {layout.QuantOffset + 32 * k});");
                w.Line($"{lo} = {dot}({lo}, {LowQuants256(layout, k)}, Vector256.Create(*(int*)(x + {4 * k})).AsSByte());");
                w.Line($"{hi} = {dot}({hi}, {HighQuants256(layout, k)}, Vector256.Create(*(int*)(x + {16 + 4 * k})).AsSByte());");
            }
        }
        else
        {
            string[] accs = { "a", "b", "c", "d" };
            for (int k = 0; k < 8; k++)
                w.Line($"{accs[k % 4]} = {dot}({accs[k % 4]}, Vector256.Load(p + {layout.QuantOffset + 32 * k}), Vector256.Create(*(int*)(x + {4 * k})).AsSByte());");
        }
        w.Line("acc = Fma.MultiplyAdd(Avx.ConvertToVector256Single((a + b) + (c + d)), Scales(p) * Vector256.Create(xd), acc);");
        w.Line(layout.HasMin ? $"return Fma.MultiplyAdd(Scales(p + {layout.MinOffset}), Vector256.Create(xd * xs), acc);" : "return acc;");
        if (layout.HasNibbles) w.Close();
        w.Close();
    }

    /// <summary>The nibble mask and, for Q5_0/Q5_1, the 8 rows' transposed fifth-bit words <c>h</c> of the block at <paramref name="block"/>.</summary>
    private static void EmitNibbleConstants256(SourceWriter w, RepackedLayouts.LegacyLayout layout, string block)
    {
        w.Line("Vector256<byte> mask = Vector256.Create((byte)0x0F);");
        if (!layout.HasHigh) return;
        w.Line($"Vector256<uint> h = Vector256.Load((uint*)({block} + {layout.HighOffset})), fifth = Vector256.Create(0x10101010u);");
    }

    /// <summary>Chunk <paramref name="k"/>'s low nibbles (elements 4k..4k+3 of each row); the fifth bits sit at bit k of each byte of <c>h</c>.</summary>
    private static string LowQuants256(RepackedLayouts.LegacyLayout layout, int k) =>
        layout.HasHigh ? $"((v{k} & mask) | (Vector256.ShiftLeft(h, {4 - k}) & fifth).AsByte())" : $"v{k} & mask";

    /// <summary>Chunk <paramref name="k"/>'s high nibbles (elements 16+4k..16+4k+3); fifth bits at bit 4+k of each byte of <c>h</c>.</summary>
    private static string HighQuants256(RepackedLayouts.LegacyLayout layout, int k)
    {
        string nibbles = $"Vector256.ShiftRightLogical(v{k}.AsUInt16(), 4).AsByte() & mask";
        if (!layout.HasHigh) return nibbles;
        string bits = k == 0 ? "h & fifth" : $"Vector256.ShiftRightLogical(h, {k}) & fifth";
        return $"(({nibbles}) | ({bits}).AsByte())";
    }

    /// <summary>
    /// <c>Vector256&lt;int&gt; sum</c> = the 4-adjacent u8 x s8 dot products of the 8 quant chunks with their inputs (one
    /// 32-bit lane per row), without VNNI: vpmaddubsw pairs are at most 2 * 15 * 128 = 3,840 for 4-bit quants, so all 8
    /// chunks add up in 16 bits (30,720) before one vpmaddwd widens them, and 2 * 31 * 128 = 7,936 for 5-bit quants, so
    /// 4 do (31,744). Integer sums are exact in any order: the result equals the chained vpmaddwd form bit for bit.
    /// </summary>
    private static void EmitPairSums256(SourceWriter w, RepackedLayouts.LegacyLayout layout, string[] chunks)
    {
        string Pair(int k) => $"PairSums({chunks[k]}, x + {NibbleInputOffset(k)})";
        // Two independent 16-bit chains (even and odd chunks) keep the adds off one dependency path.
        w.Line($"Vector256<short> even = {Pair(0)} + {Pair(2)} + {Pair(4)} + {Pair(6)};");
        w.Line($"Vector256<short> odd = {Pair(1)} + {Pair(3)} + {Pair(5)} + {Pair(7)};");
        w.Line("Vector256<short> ones = Vector256.Create((short)1);");
        w.Line(layout.HasHigh
            ? "Vector256<int> sum = Avx2.MultiplyAddAdjacent(even, ones) + Avx2.MultiplyAddAdjacent(odd, ones);"
            : "Vector256<int> sum = Avx2.MultiplyAddAdjacent(even + odd, ones);");
    }

    /// <summary>Where the input bytes of nibble chunk <paramref name="k"/> start: w(2j) holds chunk j's low nibbles (elements 4j..), w(2j+1) its high nibbles (16+4j..).</summary>
    private static int NibbleInputOffset(int k) => k % 2 == 0 ? 4 * (k / 2) : 16 + 4 * (k / 2);

    /// <summary>The 16-bit pair sums of 4-byte chunks without VNNI (see <see cref="EmitPairSums256"/>).</summary>
    internal static string RequirePairSums(HelperSet helpers) => helpers.Require("PairSums", w =>
    {
        w.Line("/// <summary>vpmaddubsw of unsigned quants with 4 input bytes broadcast to every 32-bit lane: 16-bit sums of adjacent products.</summary>");
        w.Line("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
        w.Line("public static Vector256<short> PairSums(Vector256<byte> u, sbyte* x) => Avx2.MultiplyAddAdjacent(u, Vector256.Create(*(int*)x).AsSByte());");
    });

    private static string DotName(GgmlType type) => type == GgmlType.Q8_0 ? "DotQ8_0" : "DotUnsigned";

    private static void RequireDot256(HelperSet helpers, GgmlType type)
    {
        if (type != GgmlType.Q8_0)
        {
            RequireDotUnsigned(helpers);
            RequirePairSums(helpers);
            return;
        }
        helpers.Require("DotQ8_0", w =>
        {
            w.Line("/// <summary>");
            w.Line("/// acc + sums of 4 adjacent products per 32-bit lane of Q8_0 weights stored + 128 and signed activations: vpdpbusd with");
            w.Line("/// AVX-VNNI (the offset comes back through <see cref=\"CorrectionQ8_0\"/>). vpmaddubsw would saturate on (q + 128) * x, so");
            w.Line("/// without VNNI the signed quants go in as |q| and q's sign moves onto x (pairs at most 2 * 128 * 127), and no offset is subtracted.");
            w.Line("/// </summary>");
            w.Line("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
            w.Open("public static Vector256<int> DotQ8_0(Vector256<int> acc, Vector256<byte> u, Vector256<sbyte> x)");
            w.Line($"if ({KernelIsas.UsesVnni}) return AvxVnni.MultiplyWideningAndAdd(acc, u, x);");
            w.Line("Vector256<sbyte> q = (u ^ Vector256.Create((byte)0x80)).AsSByte();");
            w.Line("return acc + Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(Avx2.Abs(q), Avx2.Sign(x, q)), Vector256.Create((short)1));");
            w.Close();
        });
        helpers.Require("CorrectionQ8_0", w =>
        {
            w.Line("/// <summary>The integer start that takes Q8_0's + 128 back out on the VNNI path (<see cref=\"DotQ8_0\"/>); 0 without VNNI.</summary>");
            w.Line("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
            w.Line($"public static int CorrectionQ8_0(int sum) => {KernelIsas.UsesVnni} ? -128 * sum : 0;");
        });
    }

    /// <summary>The unsigned x signed byte dot product shared by the nibble types and the K-quants (quants at most 63).</summary>
    internal static string RequireDotUnsigned(HelperSet helpers) => helpers.Require("DotUnsigned", w =>
    {
        w.Line("/// <summary>");
        w.Line("/// acc + sums of 4 adjacent u8 x s8 products per 32-bit lane: vpdpbusd with AVX-VNNI (the class's type argument, so each");
        w.Line("/// instantiation compiles one branch). Without VNNI, vpmaddubsw: the unsigned quants are at most 63, so a pair is at most");
        w.Line("/// 2 * 63 * 128 and the 16-bit step never saturates.");
        w.Line("/// </summary>");
        w.Line("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
        w.Open("public static Vector256<int> DotUnsigned(Vector256<int> acc, Vector256<byte> u, Vector256<sbyte> x)");
        w.Line($"if ({KernelIsas.UsesVnni}) return AvxVnni.MultiplyWideningAndAdd(acc, u, x);");
        w.Line("return acc + Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(u, x), Vector256.Create((short)1));");
        w.Close();
    });

    internal static string RequireStoreGroup256(HelperSet helpers) => helpers.Require("StoreGroup", w =>
    {
        w.Line("/// <summary>Stores the group's rows that lie in [rowStart, rowEnd): all 8 at once when the group is inside the range.</summary>");
        w.Line("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
        w.Open("public static void StoreGroup(Vector256<float> sums, float* y, int first, int rowStart, int rowEnd)");
        w.Open("if (first >= rowStart && first + 8 <= rowEnd)");
        w.Line("sums.Store(y + first);");
        w.Line("return;");
        w.Close();
        w.Line("for (int lane = 0; lane < 8; lane++)");
        w.Line("    if (first + lane >= rowStart && first + lane < rowEnd) y[first + lane] = sums.GetElement(lane);");
        w.Close();
    });

    internal static string RequireScales256(HelperSet helpers) => helpers.Require("Scales", w =>
    {
        w.Line("/// <summary>");
        w.Line("/// The 8 f16 values at p (a group's scales, minimums, d or dmin) as floats, exact for finite values: bits into the");
        w.Line("/// lane's top half, arithmetic shift right by 3, clear the copies of the sign, times 2^112 (non-finite scales are refused at load).");
        w.Line("/// </summary>");
        w.Line("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
        w.Open("public static Vector256<float> Scales(byte* p)");
        w.Line("Vector256<int> bits = Avx2.ConvertToVector256Int32((ushort*)p) << 16;");
        w.Line("Vector256<int> single = Avx2.ShiftRightArithmetic(bits, 3) & Vector256.Create(unchecked((int)0x8FFFFFFF));");
        w.Line("return single.AsSingle() * Vector256.Create(0x77800000).AsSingle();");
        w.Close();
    });

    /// <summary>
    /// The batched kernels' block step: unpack block <c>b</c> of the group at <c>q</c> once, then multiply it with each of
    /// <paramref name="tokens"/> inputs, with the single-token kernel's float operations in the same order.
    /// </summary>
    private static string RequireTile(HelperSet helpers, GgmlType type, int tokens)
    {
        RequireScales256(helpers);
        RequireDot256(helpers, type);
        string token = helpers.Require("Token" + type, w => EmitToken(w, type));
        return helpers.Require($"Tile{type}x{tokens}", w =>
        {
            var layout = Layout(type);
            string inputs = "", accs = "";
            for (int i = 0; i < tokens; i++)
            {
                inputs += $", byte* in{i}";
                accs += $", ref Vector256<float> acc{i}";
            }
            w.Line($"/// <summary>A block of the {type} group block at <paramref name=\"q\"/> unpacked once, then applied to {tokens} token input{(tokens == 1 ? "" : "s")} (the block at <paramref name=\"block\"/> bytes into each).</summary>");
            w.Line("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
            w.Open($"public static void Tile{type}x{tokens}(byte* q, nint block{inputs}{accs})");
            w.Line("Vector256<float> s = Scales(q);");
            if (layout.HasMin) w.Line($"Vector256<float> m = Scales(q + {layout.MinOffset});");
            if (layout.HasNibbles)
            {
                EmitNibbleConstants256(w, layout, "q");
                for (int k = 0; k < 4; k++)
                {
                    w.Line($"Vector256<byte> v{k} = Vector256.Load(q + {layout.QuantOffset + 32 * k});");
                    w.Line($"Vector256<byte> w{2 * k} = {LowQuants256(layout, k)}, w{2 * k + 1} = {HighQuants256(layout, k)};");
                }
            }
            else
            {
                for (int k = 0; k < 8; k++) w.Line($"Vector256<byte> w{k} = Vector256.Load(q + {layout.QuantOffset + 32 * k});");
            }
            for (int i = 0; i < tokens; i++)
                w.Line($"acc{i} = {token}(w0, w1, w2, w3, w4, w5, w6, w7, in{i} + block, s, {(layout.HasMin ? "m, " : "")}acc{i});");
            w.Close();
        });
    }

    private static void EmitToken(SourceWriter w, GgmlType type)
    {
        var layout = Layout(type);
        string dot = DotName(type);
        w.Line("/// <summary>One token: acc + (8 rows' block product) * d_w * d_x with the block's weights already unpacked; the single-token kernel's float operations, in the same order.</summary>");
        w.Line("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
        w.Open($"public static Vector256<float> Token{type}(Vector256<byte> w0, Vector256<byte> w1, Vector256<byte> w2, Vector256<byte> w3, " +
               "Vector256<byte> w4, Vector256<byte> w5, Vector256<byte> w6, Vector256<byte> w7, byte* input, Vector256<float> s, " +
               (layout.HasMin ? "Vector256<float> m, " : "") + "Vector256<float> acc)");
        // input: this block of the token's input (32 quants, the float scale, the int sum).
        w.Line("sbyte* x = (sbyte*)input;");
        w.Line("float xd = *(float*)(input + 32);");
        w.Line("int xs = *(int*)(input + 36);");
        if (layout.HasNibbles)
        {
            w.Open($"if (!({KernelIsas.UsesVnni}))");
            EmitPairSums256(w, layout, new[] { "w0", "w1", "w2", "w3", "w4", "w5", "w6", "w7" });
            w.Line($"acc = Fma.MultiplyAdd(Avx.ConvertToVector256Single(Vector256.Create({InitialSum(type)}) + sum), s * Vector256.Create(xd), acc);");
            w.Line(layout.HasMin ? "return Fma.MultiplyAdd(m, Vector256.Create(xd * xs), acc);" : "return acc;");
            w.Close();
            w.Open("else");
        }
        w.Line($"Vector256<int> a = Vector256.Create({InitialSum(type)}), c = Vector256<int>.Zero;");
        for (int k = 0; k < 8; k++)
        {
            // Nibble types: w(2k) = chunk k's low nibbles (x 4k..), w(2k+1) = its high nibbles (x 16+4k..); Q8_0: w(k) = chunk k (x 4k..).
            int xo = layout.HasNibbles ? NibbleInputOffset(k) : 4 * k;
            string acc = k % 2 == 0 ? "a" : "c";
            w.Line($"{acc} = {dot}({acc}, w{k}, Vector256.Create(*(int*)(x + {xo})).AsSByte());");
        }
        w.Line("acc = Fma.MultiplyAdd(Avx.ConvertToVector256Single(a + c), s * Vector256.Create(xd), acc);");
        w.Line(layout.HasMin ? "return Fma.MultiplyAdd(m, Vector256.Create(xd * xs), acc);" : "return acc;");
        if (layout.HasNibbles) w.Close();
        w.Close();
    }

    // ---- 128-bit (Vector128, NEON) ----

    private static string RequireBlock128(HelperSet helpers, GgmlType type, KernelIsa isa)
    {
        RequireScales128(helpers);
        RequireDot4(helpers, isa);
        return helpers.Require("Block" + type, w => EmitBlock128(w, type));
    }

    /// <summary>
    /// One block of a group with 128-bit vectors: rows 0..3 in <c>acc0</c>, 4..7 in <c>acc1</c>. Signed weights: nibbles
    /// and 5-bit quants stay 0..15 / 0..31 (Q4_0's and Q5_0's offset subtracted through the sum), Q8_0 quants get their
    /// sign back, so NEON's sdot (signed x signed) needs no offset either.
    /// </summary>
    private static void EmitBlock128(SourceWriter w, GgmlType type)
    {
        var layout = Layout(type);
        w.Line($"/// <summary>acc0 (rows 0..3), acc1 (rows 4..7) + the {type} block's products * d_w * d_x{(layout.HasMin ? " + m_w * (d_x * sum(x_q))" : "")}.</summary>");
        w.Line("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
        w.Open($"public static void Block{type}(byte* p, sbyte* x, float xd, int xs, ref Vector128<float> acc0, ref Vector128<float> acc1)");
        w.Line($"Vector128<int> lo = Vector128.Create({(layout.HasNibbles ? InitialSum(type) : "0")}), hi = lo;");
        if (layout.HasHigh)
        {
            // The fifth bits of vector j (elements 4j..4j+3) sit at bit j of each byte of a row's transposed word.
            w.Line($"Vector128<uint> h0 = Vector128.Load((uint*)(p + {layout.HighOffset})), h1 = Vector128.Load((uint*)(p + {layout.HighOffset + 16}));");
            w.Line("Vector128<uint> fifth = Vector128.Create(0x10101010u);");
        }
        for (int k = 0; k < layout.Chunks; k++)
        {
            for (int half = 0; half < 2; half++)
            {
                string acc = half == 0 ? "lo" : "hi";
                if (layout.HasNibbles)
                {
                    string n = $"n{k}{half}";
                    w.Line($"Vector128<byte> {n} = Vector128.Load(p + {layout.QuantOffset + 32 * k + 16 * half});");
                    string low = $"({n} & Vector128.Create((byte)0x0F))", upper = $"Vector128.ShiftRightLogical({n}, 4)";
                    if (layout.HasHigh)
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
                    w.Line($"{acc} = Dot4({acc}, (Vector128.Load(p + {layout.QuantOffset + 32 * k + 16 * half}) ^ Vector128.Create((byte)0x80)).AsSByte(), Vector128.Create(*(int*)(x + {4 * k})).AsSByte());");
                }
            }
        }
        w.Line("(Vector128<float> s0, Vector128<float> s1) = Scales(p);");
        w.Line("Vector128<float> scale = Vector128.Create(xd);");
        w.Line("acc0 = Vector128.MultiplyAddEstimate(Vector128.ConvertToSingle(lo), s0 * scale, acc0);");
        w.Line("acc1 = Vector128.MultiplyAddEstimate(Vector128.ConvertToSingle(hi), s1 * scale, acc1);");
        if (layout.HasMin)
        {
            w.Line("// The minimum's term: m_w * (d_x * sum(x_q)).");
            w.Line($"(Vector128<float> m0, Vector128<float> m1) = Scales(p + {layout.MinOffset});");
            w.Line("Vector128<float> total = Vector128.Create(xd * xs);");
            w.Line("acc0 = Vector128.MultiplyAddEstimate(m0, total, acc0);");
            w.Line("acc1 = Vector128.MultiplyAddEstimate(m1, total, acc1);");
        }
        w.Close();
    }

    /// <summary>The signed byte dot product of the 128-bit variants (sdot on NEON with Dp; widening multiplies otherwise).</summary>
    internal static string RequireDot4(HelperSet helpers, KernelIsa isa)
    {
        if (isa != KernelIsa.Neon)
        {
            helpers.Require("Sum4", w =>
            {
                w.Line("/// <summary>Lane i of the result = the sum of the 4 products of output lane i (p0 = lane 0's, p1 = lane 1's, ...).</summary>");
                w.Line("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
                w.Line("public static Vector128<int> Sum4(Vector128<int> p0, Vector128<int> p1, Vector128<int> p2, Vector128<int> p3) =>");
                w.Line("    Vector128.Create(Vector128.Sum(p0), Vector128.Sum(p1), Vector128.Sum(p2), Vector128.Sum(p3));");
            });
        }
        return helpers.Require("Dot4", w =>
        {
            w.Line("/// <summary>acc + per 32-bit lane the sum of its 4 byte products (both operands signed, |products| &lt;= 128 * 127).</summary>");
            w.Line("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
            w.Open("public static Vector128<int> Dot4(Vector128<int> acc, Vector128<sbyte> a, Vector128<sbyte> b)");
            if (isa == KernelIsa.Neon)
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
        });
    }

    internal static string RequireStoreGroup128(HelperSet helpers) => helpers.Require("StoreGroup", w =>
    {
        w.Line("/// <summary>Stores the group's rows (0..3 in low, 4..7 in high) that lie in [rowStart, rowEnd).</summary>");
        w.Line("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
        w.Open("public static void StoreGroup(Vector128<float> low, Vector128<float> high, float* y, int first, int rowStart, int rowEnd)");
        w.Open("if (first >= rowStart && first + 8 <= rowEnd)");
        w.Line("low.Store(y + first);");
        w.Line("high.Store(y + first + 4);");
        w.Line("return;");
        w.Close();
        w.Line("for (int lane = 0; lane < 8; lane++)");
        w.Line("    if (first + lane >= rowStart && first + lane < rowEnd) y[first + lane] = lane < 4 ? low.GetElement(lane) : high.GetElement(lane - 4);");
        w.Close();
    });

    private static void RequireScales128(HelperSet helpers) => helpers.Require("Scales", w =>
    {
        w.Line("/// <summary>The group's 8 f16 scales (or minimums) at p as floats, rows 0..3 and 4..7 (exact; the same integer steps as the 256-bit variants).</summary>");
        w.Line("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
        w.Open("public static (Vector128<float>, Vector128<float>) Scales(byte* p)");
        w.Line("(Vector128<uint> b0, Vector128<uint> b1) = Vector128.Widen(Vector128.Load((ushort*)p));");
        w.Line("Vector128<int> mask = Vector128.Create(unchecked((int)0x8FFFFFFF));");
        w.Line("Vector128<float> power = Vector128.Create(0x77800000).AsSingle();");
        w.Line("Vector128<float> s0 = (Vector128.ShiftRightArithmetic((b0 << 16).AsInt32(), 3) & mask).AsSingle() * power;");
        w.Line("Vector128<float> s1 = (Vector128.ShiftRightArithmetic((b1 << 16).AsInt32(), 3) & mask).AsSingle() * power;");
        w.Line("return (s0, s1);");
        w.Close();
    });
}
