using System;
using LlamaGen.Generator.Helpers;
using LlamaGen.Generator.Shared;

namespace LlamaGen.Generator.Emitters.Kernels;

/// <summary>
/// K-quant kernels (Q2_K, Q3_K, Q4_K, Q5_K, Q6_K) over the layout the runtime repacks them into at load
/// (<see cref="RepackedLayouts.KQuantLayout"/>): per group of 8 rows and 256-element super-block, the rows' f16 <c>d</c>
/// and <c>dmin</c>, their group scales (and mins) one byte each, then the unsigned quants split into packs of low bits
/// and high bits, each 32-byte chunk holding 4 consecutive elements of each of the 8 rows. The input is
/// <c>ActivationQuantizer.QuantizeKernelInputQ8_K</c>'s: the Q8_K quants, a float scale per super-block and an int sum per
/// 16 elements (<see cref="RepackedLayouts.Q8_KInputBytes"/>).
/// </summary>
/// <remarks>
/// The arithmetic is llama.cpp's <c>ggml_vec_dot_q*_K_q8_K</c>: per group of 16 or 32 elements an exact integer dot
/// product of unsigned quants and signed activation bytes (<c>vpdpbusd</c> per 8 rows, as the Q4_0 kernels), times the
/// group's integer scale, summed over the super-block in integers; the mins (or the fixed offset 4 / 32 of Q3_K / Q6_K)
/// come back through the activation's group sums: <c>d * xd * sum(scale * dot) - dmin * xd * sum(min * bsum)</c>. So the
/// only float operations are two per super-block and row.
/// </remarks>
internal static class KQuantKernelEmitter
{
    public static bool Handles(GgmlType type) => GgmlBlocks.IsKQuant(type);

    /// <summary>AVX-512 runs the AVX2 kernels (256-bit code: .NET 10 has no 512-bit vpdpbusd).</summary>
    public static bool HasMatVec(KernelIsa isa) => isa != KernelIsa.Avx512;

    /// <summary>The x86 ISAs have batched kernels (256-bit code for both; they differ in the token tile).</summary>
    public static bool HasMatMul(KernelIsa isa) => isa is KernelIsa.Avx2 or KernelIsa.Avx512;

    private const int PrefetchDistance = 4;

    private static void Preamble(SourceWriter w, KernelShape shape, string input)
    {
        var f = RepackedLayouts.KQuant(shape.Type);
        shape.Int(w, "SuperBlocks", c => c / 256, "columns / 256");
        w.Line($"const int SuperGroupBytes = {f.SuperGroupBytes}; // 8 rows x one {shape.TypeName} super-block, repacked");
        shape.Derived(w, "GroupBytes", "SuperBlocks * SuperGroupBytes");
        w.Line("// The input: the Q8_K quants, a float scale per super-block, an int sum per 16 quants (QuantizeKernelInputQ8_K).");
        w.Line($"sbyte* xq = (sbyte*){input};");
        w.Line($"float* xd = (float*)({input} + SuperBlocks * 256);");
        w.Line("int* xs = (int*)(xd + SuperBlocks);");
    }

    public static void EmitMatVec(SourceWriter w, KernelShape shape, KernelIsa isa, HelperSet helpers)
    {
        string h = KernelIsas.HelperClass(isa);
        GgmlType type = shape.Type;
        w.Line($"/// <summary>y[r] = dot(weight row r, xq8) for r in [rowStart, rowEnd) of a repacked {shape.TypeName} matrix{FloatKernelEmitter.RowsOf(shape)}; xq8 from ActivationQuantizer.QuantizeKernelInputQ8_K.</summary>");
        w.Open($"public static void {shape.MatVecName}(byte* weights, float* x, byte* xq8, float* y, int rowStart, int rowEnd{shape.ColumnsParameter})");
        KernelIsas.EmitGuard(w, isa);
        Preamble(w, shape, "xq8");
        w.Open("for (int g = rowStart / 8; g * 8 < rowEnd; g++)");
        w.Line("byte* p = weights + (nint)g * GroupBytes;");
        switch (isa)
        {
            case KernelIsa.Scalar:
            {
                string row = helpers.Require("Row" + type, hw => EmitScalarRow(hw, type));
                w.Open("for (int lane = 0; lane < 8; lane++)");
                w.Line("int row = g * 8 + lane;");
                w.Line($"if (row >= rowStart && row < rowEnd) y[row] = {h}.{row}(p, lane, SuperBlocks, xq, xd, xs);");
                w.Close();
                break;
            }
            case KernelIsa.Vector128:
            case KernelIsa.Neon:
            {
                string block = RequireSuperBlock(helpers, type, isa);
                string store = InterleavedKernelEmitter.RequireStoreGroup128(helpers);
                w.Line("Vector128<float> acc0 = Vector128<float>.Zero, acc1 = Vector128<float>.Zero;");
                w.Open("for (int s = 0; s < SuperBlocks; s++)");
                w.Line($"acc0 = {h}.{block}(p + s * SuperGroupBytes, 0, xq + s * 256, xd[s], xs + s * 16, acc0);");
                w.Line($"acc1 = {h}.{block}(p + s * SuperGroupBytes, 16, xq + s * 256, xd[s], xs + s * 16, acc1);");
                w.Close();
                w.Line($"{h}.{store}(acc0, acc1, y, g * 8, rowStart, rowEnd);");
                break;
            }
            default:
            {
                string block = RequireSuperBlock(helpers, type, isa);
                string store = InterleavedKernelEmitter.RequireStoreGroup256(helpers);
                w.Line("Vector256<float> acc = Vector256<float>.Zero;");
                w.Line($"for (int s = 0; s < SuperBlocks; s++) acc = {h}.{block}(p + s * SuperGroupBytes, xq + s * 256, xd[s], xs + s * 16, acc);");
                w.Line($"{h}.{store}(acc, y, g * 8, rowStart, rowEnd);");
                break;
            }
        }
        w.Close();
        w.Close();
        w.Line();
    }

    /// <summary>
    /// Tokens per pass of the batched kernel: each chunk's quants are unpacked once for this many tokens. A token holds two
    /// chains and a sum in registers: 4 tokens fit AVX-512's 32 vector registers (the JIT gives 256-bit code all 32),
    /// 2 fit AVX2's 16. Measured on Llama 3.2 1B Q4_K_M pp128, 1 thread: 28 t/s one token at a time, 41 with 2, 51 with 4,
    /// 4 with 8 (the JIT gives up on so many live vectors).
    /// </summary>
    internal static int TokenTile(KernelIsa isa) => isa == KernelIsa.Avx512 ? 4 : 2;

    /// <summary>
    /// Emits <c>MatMul_{type}[_{columns}]</c> for AVX2 and AVX-512 (both call the 256-bit helpers of the AVX2 class,
    /// <paramref name="helpers"/>): each group of 8 rows (the outer
    /// loop) is applied to every token before the next group, so a group's weights (19 KB per 4096 columns of Q4_K) come
    /// from memory once per prompt chunk and from L1/L2 for the other tokens; the tokens go <see cref="TokenTile"/> at a
    /// time, so each chunk of quants is loaded, shifted and masked once for the tile (that unpacking is most of a
    /// single-token super-block's instructions). Every token's arithmetic is the single-token kernel's, integer sums then
    /// the same float steps, so the results are bit-identical.
    /// </summary>
    public static void EmitMatMul(SourceWriter w, KernelShape shape, KernelIsa isa, HelperSet helpers)
    {
        string h = KernelIsas.HelperClass(KernelIsa.Avx2);
        int tokenTile = TokenTile(isa);
        string block = RequireSuperBlock(helpers, shape.Type, KernelIsa.Avx2);
        string tile = helpers.Require($"SuperBlock{shape.Type}x{tokenTile}", hw => EmitSuperBlockTile(hw, RepackedLayouts.KQuant(shape.Type), tokenTile));
        string store = InterleavedKernelEmitter.RequireStoreGroup256(helpers);
        w.Line($"/// <summary>y[t][r] = dot(weight row r, xq8[t]) for r in [rowStart, rowEnd) and each of <paramref name=\"tokens\"/> inputs (y rows of <paramref name=\"rows\"/>); {shape.TypeName}{FloatKernelEmitter.RowsOf(shape)}.</summary>");
        w.Open($"public static void {shape.MatMulName}(byte* weights, float* x, byte* xq8, float* y, int rows, int tokens, int rowStart, int rowEnd{shape.ColumnsParameter})");
        KernelIsas.EmitGuard(w, isa);
        var f = RepackedLayouts.KQuant(shape.Type);
        shape.Int(w, "SuperBlocks", c => c / 256, "columns / 256");
        w.Line($"const int SuperGroupBytes = {f.SuperGroupBytes};");
        shape.Derived(w, "GroupBytes", "SuperBlocks * SuperGroupBytes");
        shape.Int(w, "InputBytes", c => RepackedLayouts.Q8_KInputBytes(c), "columns + SuperBlocks * 4 + columns / 16 * 4", "one token's input (ActivationQuantizer.KernelInputBytesQ8_K)");
        w.Line($"Vector256<float>* acc = stackalloc Vector256<float>[{tokenTile}];");
        w.Open("for (int g = rowStart / 8; g * 8 < rowEnd; g++)");
        w.Line("byte* p = weights + (nint)g * GroupBytes;");
        w.Line("int t = 0;");
        w.Open($"for (; t + {tokenTile} <= tokens; t += {tokenTile})");
        EmitInput(w);
        for (int k = 0; k < tokenTile; k++) w.Line($"acc[{k}] = Vector256<float>.Zero;");
        w.Line($"for (int s = 0; s < SuperBlocks; s++) {h}.{tile}(p + s * SuperGroupBytes, xq + s * 256, xd + s, xs + s * 16, InputBytes, acc);");
        for (int k = 0; k < tokenTile; k++) w.Line($"{h}.{store}(acc[{k}], y + (nint)(t + {k}) * rows, g * 8, rowStart, rowEnd);");
        w.Close();
        w.Open("for (; t < tokens; t++)");
        EmitInput(w);
        w.Line("Vector256<float> one = Vector256<float>.Zero;");
        w.Line($"for (int s = 0; s < SuperBlocks; s++) one = {h}.{block}(p + s * SuperGroupBytes, xq + s * 256, xd[s], xs + s * 16, one);");
        w.Line($"{h}.{store}(one, y + (nint)t * rows, g * 8, rowStart, rowEnd);");
        w.Close();
        w.Close();
        w.Close();
        w.Line();

        static void EmitInput(SourceWriter w)
        {
            w.Line("byte* input = xq8 + (nint)t * InputBytes;");
            w.Line("sbyte* xq = (sbyte*)input;");
            w.Line("float* xd = (float*)(input + SuperBlocks * 256);");
            w.Line("int* xs = (int*)(xd + SuperBlocks);");
        }
    }

    /// <summary>
    /// Without VNNI, how many chunks' vpmaddubsw pair sums add up in 16 bits before they must be widened: a pair is at most
    /// 2 * q_max * 128 (activations are at least -128), so 8 for 4-bit quants (30,720), 4 for 5-bit, 2 for 6-bit, and a
    /// whole group (4 chunks of 16 values) for Q2_K and Q3_K. Integer sums are exact in any order, so the result equals the
    /// chained vpmaddwd form bit for bit.
    /// </summary>
    private static bool UsesPairSums(RepackedLayouts.KQuantLayout f) =>
        f.Type != GgmlType.Q3_K; // measured slower for Q3_K (its high-bit unpacking holds more registers per chunk)

    private static int ChunksPer16BitSum(RepackedLayouts.KQuantLayout f)
    {
        int pairMax = 2 * ((1 << f.Bits) - 1) * 128;
        return Math.Min(f.SubValues / 4, short.MaxValue / pairMax);
    }

    private static void RequireScalePairs(HelperSet helpers) => helpers.Require("ScalePairs", w =>
    {
        w.Line("/// <summary>The 8 rows' signed group scales (a byte each) in both 16-bit halves of each row's lane: vpmaddwd's second operand.</summary>");
        w.Line("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
        w.Open("public static Vector256<short> ScalePairs(byte* scales)");
        w.Line("Vector256<int> scale = Avx2.ConvertToVector256Int32((sbyte*)scales);");
        w.Line("return ((scale << 16) | (scale & Vector256.Create(0xFFFF))).AsInt16();");
        w.Close();
    });

    private static string ScalePairs(string at) => $"ScalePairs({at})";

    /// <summary>The sum of the 16-bit pair sums, each widened and multiplied by the group scale in one vpmaddwd.</summary>
    private static string WidenedSums(int count, Func<int, string> chain, string scale)
    {
        var terms = new string[count];
        for (int j = 0; j < count; j++) terms[j] = $"Avx2.MultiplyAddAdjacent({chain(j)}, {scale})";
        return count == 1 ? terms[0] : "(" + string.Join(" + ", terms) + ")";
    }

    /// <summary>
    /// <see cref="EmitSuperBlock"/> for <paramref name="tokens"/> tokens at once (256-bit vectors, 8 rows): token k's
    /// quants, scales and sums sit <c>k * stride</c> bytes after token 0's; each chunk's quants are unpacked once and
    /// multiplied with every token's broadcast bytes; per token the same integer chains and float steps as the
    /// single-token helper, accumulated into <c>acc[k]</c>.
    /// </summary>
    private static void EmitSuperBlockTile(SourceWriter w, RepackedLayouts.KQuantLayout f, int tokens)
    {
        const string vector = "Vector256";
        w.Line($"/// <summary>acc[k] + the {f.Type} super-block's products for 8 rows and token k of {tokens} (inputs <paramref name=\"stride\"/> bytes apart).</summary>");
        w.Line("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
        w.Open($"public static void SuperBlock{f.Type}x{tokens}(byte* p, sbyte* x, float* xd, int* bsums, nint stride, Vector256<float>* acc)");
        w.Line($"// Software prefetch {PrefetchDistance} super-blocks ahead (a group's super-blocks are contiguous).");
        for (int line = 0; line < f.SuperGroupBytes; line += 64)
            w.Line($"Sse.Prefetch0(p + {PrefetchDistance * f.SuperGroupBytes + line});");
        for (int k = 0; k < tokens; k++)
        {
            w.Line(k == 0 ? "sbyte* x0 = x;" : $"sbyte* x{k} = x + {k} * stride;");
            w.Line(k == 0 ? "int* bsums0 = bsums;" : $"int* bsums{k} = (int*)((byte*)bsums + {k} * stride);");
        }
        if (f.LowBits < 8) w.Line($"{vector}<byte> lowMask = {vector}.Create((byte){(1 << f.LowBits) - 1});");
        if (f.HighBits > 0) w.Line($"{vector}<byte> highMask = {vector}.Create((byte){((1 << f.HighBits) - 1) << f.LowBits});");
        for (int k = 0; k < tokens; k++) w.Line($"{vector}<int> sums{k} = {vector}<int>.Zero;");
        w.Line($"{vector}<byte> v;");
        bool pairSums = UsesPairSums(f);
        if (pairSums) w.Open($"if (!({KernelIsas.UsesVnni}))");
        for (int range = 0; pairSums && range < 8; range++)
        {
            w.Line($"// elements {32 * range} .. {32 * range + 31}");
            int chunksPerGroup = f.SubValues / 4;
            int run = ChunksPer16BitSum(f);
            for (int group = 0; group < 32 / f.SubValues; group++)
            {
                int t = range * 32 / f.SubValues + group;
                int first = group * chunksPerGroup;
                for (int c = first; c < first + chunksPerGroup; c++)
                {
                    w.Line($"v = {Value(f, vector, "", range, c)};");
                    for (int k = 0; k < tokens; k++)
                    {
                        string pair = $"PairSums(v, x{k} + {32 * range + 4 * c})";
                        string chain = $"pairs{t}_{k}_{(c - first) / run}";
                        w.Line((c - first) % run == 0 ? $"{vector}<short> {chain} = {pair};" : $"{chain} += {pair};");
                    }
                }
                w.Line($"{vector}<short> scale{t} = {ScalePairs($"p + {RepackedLayouts.KQuantLayout.ScalesOffset + 8 * t}")};");
                for (int k = 0; k < tokens; k++)
                    w.Line($"sums{k} += {WidenedSums(chunksPerGroup / run, j => $"pairs{t}_{k}_{j}", $"scale{t}")};");
            }
        }
        if (pairSums)
        {
            w.Close();
            w.Open("else");
        }
        for (int range = 0; range < 8; range++)
        {
            w.Line($"// elements {32 * range} .. {32 * range + 31}");
            int chunksPerGroup = f.SubValues / 4;
            for (int group = 0; group < 32 / f.SubValues; group++)
            {
                int t = range * 32 / f.SubValues + group;
                int first = group * chunksPerGroup;
                for (int c = first; c < first + chunksPerGroup; c++)
                {
                    w.Line($"v = {Value(f, vector, "", range, c)};");
                    string chain = (c - first) % 2 == 0 ? "even" : "odd";
                    for (int k = 0; k < tokens; k++)
                    {
                        string broadcast = $"{vector}.Create(*(int*)(x{k} + {32 * range + 4 * c})).AsSByte()";
                        w.Line(c - first < 2
                            ? $"{vector}<int> {chain}{t}_{k} = DotUnsigned({vector}<int>.Zero, v, {broadcast});"
                            : $"{chain}{t}_{k} = DotUnsigned({chain}{t}_{k}, v, {broadcast});");
                    }
                }
                w.Line($"{vector}<int> scale{t} = {Bytes(vector, $"p + {RepackedLayouts.KQuantLayout.ScalesOffset + 8 * t}", signed: true)};");
                for (int k = 0; k < tokens; k++) w.Line($"sums{k} += (even{t}_{k} + odd{t}_{k}) * scale{t};");
            }
        }
        if (pairSums) w.Close();
        for (int k = 0; k < tokens; k++) w.Line($"{vector}<int> mins{k} = {vector}<int>.Zero;");
        for (int t = 0; t < f.Groups; t++)
        {
            string factor = f.HasMins
                ? Bytes(vector, $"p + {f.MinsOffset + 8 * t}", signed: false)
                : Bytes(vector, $"p + {RepackedLayouts.KQuantLayout.ScalesOffset + 8 * t}", signed: true);
            w.Line($"{vector}<int> factor{t} = {factor};");
            for (int k = 0; k < tokens; k++)
            {
                string bsum = f.SubValues == 32 ? $"bsums{k}[{2 * t}] + bsums{k}[{2 * t + 1}]" : $"bsums{k}[{t}]";
                w.Line($"mins{k} += factor{t} * {vector}.Create({bsum});");
            }
        }
        w.Line($"{vector}<float> d = Scales(p);");
        if (f.HasMins) w.Line($"{vector}<float> dmin = Scales(p + 16);");
        for (int k = 0; k < tokens; k++)
        {
            string xdk = k == 0 ? "xd[0]" : $"*(float*)((byte*)xd + {k} * stride)";
            w.Line($"{vector}<float> xd{k} = {vector}.Create({xdk});");
            if (f.HasMins)
            {
                w.Line($"Vector256<float> acc{k} = {vector}.MultiplyAddEstimate({vector}.ConvertToSingle(sums{k}), d * xd{k}, acc[{k}]);");
                w.Line($"acc[{k}] = {vector}.MultiplyAddEstimate({vector}.ConvertToSingle(mins{k}), -(dmin * xd{k}), acc{k});");
            }
            else
                w.Line($"acc[{k}] = {vector}.MultiplyAddEstimate({vector}.ConvertToSingle(sums{k} - {vector}.ShiftLeft(mins{k}, {Log2(f.Offset)})), d * xd{k}, acc[{k}]);");
        }
        w.Close();
    }

    /// <summary>One row's sum over the super-blocks of its group: each row's integer sums exactly as the layout defines them.</summary>
    private static void EmitScalarRow(SourceWriter w, GgmlType type)
    {
        var f = RepackedLayouts.KQuant(type);
        w.Line($"/// <summary>Row <paramref name=\"lane\"/> of the repacked {type} group at <paramref name=\"group\"/> times the input, super-block by super-block.</summary>");
        w.Open($"public static float Row{type}(byte* group, int lane, int superBlocks, sbyte* xq, float* xd, int* xs)");
        w.Line("float sum = 0f;");
        w.Open("for (int s = 0; s < superBlocks; s++)");
        w.Line($"byte* q = group + s * {f.SuperGroupBytes};");
        w.Line("sbyte* xb = xq + s * 256;");
        w.Line("int* bsums = xs + s * 16;");
        w.Line("int dots = 0, mins = 0;");
        w.Open($"for (int t = 0; t < {f.Groups}; t++)");
        w.Line("int dot = 0, bsum = 0;");
        w.Open($"for (int k = t * {f.SubValues}; k < (t + 1) * {f.SubValues}; k++)");
        w.Line("int range = k / 32, chunk = k % 32 / 4, i = k % 4;");
        w.Line($"int value = (q[{f.LowOffset} + 256 * (range / {8 / f.LowBits}) + 32 * chunk + 4 * lane + i] >> ({f.LowBits} * (range % {8 / f.LowBits}))) & {(1 << f.LowBits) - 1};");
        if (f.HighBits > 0)
            w.Line($"value |= ((q[{f.HighOffset} + 256 * (range / {8 / f.HighBits}) + 32 * chunk + 4 * lane + i] >> ({f.HighBits} * (range % {8 / f.HighBits}))) & {(1 << f.HighBits) - 1}) << {f.LowBits};");
        w.Line("dot += value * xb[k];");
        w.Close();
        w.Line($"for (int b = t * {f.SubValues / 16}; b < (t + 1) * {f.SubValues / 16}; b++) bsum += bsums[b];");
        w.Line($"int scale = (sbyte)q[{RepackedLayouts.KQuantLayout.ScalesOffset} + 8 * t + lane];");
        w.Line("dots += scale * dot;");
        w.Line(f.HasMins ? $"mins += q[{f.MinsOffset} + 8 * t + lane] * bsum;" : "mins += scale * bsum;");
        w.Close();
        w.Line("float d = (float)((Half*)q)[lane] * xd[s];");
        w.Line(f.HasMins
            ? "sum += dots * d - mins * ((float)((Half*)(q + 16))[lane] * xd[s]);"
            : $"sum += (dots - {f.Offset} * mins) * d;");
        w.Close();
        w.Line("return sum;");
        w.Close();
    }

    private static string RequireSuperBlock(HelperSet helpers, GgmlType type, KernelIsa isa)
    {
        bool wide = isa is KernelIsa.Avx2 or KernelIsa.Avx512;
        if (wide)
        {
            InterleavedKernelEmitter.RequireDotUnsigned(helpers);
            InterleavedKernelEmitter.RequireScales256(helpers);
            RequireScalePairs(helpers);
            InterleavedKernelEmitter.RequirePairSums(helpers);
        }
        else
        {
            InterleavedKernelEmitter.RequireDot4(helpers, isa);
            helpers.Require("Halfs4", EmitHalfs4);
        }
        return helpers.Require("SuperBlock" + type, w => EmitSuperBlock(w, RepackedLayouts.KQuant(type), wide ? "Vector256" : "Vector128"));
    }

    /// <summary>
    /// One super-block of a group: 256-bit vectors hold the 8 rows (AVX2, AVX-512); 128-bit ones (Vector128, NEON) hold the
    /// 4 rows starting at byte <c>half</c> (0 or 16) of each 32-byte chunk.
    /// </summary>
    private static void EmitSuperBlock(SourceWriter w, RepackedLayouts.KQuantLayout f, string vector)
    {
        bool wide = vector == "Vector256";
        string lanes = wide ? "8 rows" : "4 rows";
        string dot = wide ? "DotUnsigned" : "Dot4";
        string asSigned = wide ? "" : ".AsSByte()";
        w.Line($"/// <summary>acc + the {f.Type} super-block's products for {lanes}: integer dots per group of {f.SubValues}, times the group scales, in integers; then the d (and dmin) scaling in float.</summary>");
        w.Line("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
        w.Open(wide
            ? $"public static Vector256<float> SuperBlock{f.Type}(byte* p, sbyte* x, float xd, int* bsums, Vector256<float> acc)"
            : $"public static Vector128<float> SuperBlock{f.Type}(byte* p, int half, sbyte* x, float xd, int* bsums, Vector128<float> acc)");
        if (wide)
        {
            w.Line($"// Software prefetch {PrefetchDistance} super-blocks ahead (a group's super-blocks are contiguous).");
            for (int line = 0; line < f.SuperGroupBytes; line += 64)
                w.Line($"Sse.Prefetch0(p + {PrefetchDistance * f.SuperGroupBytes + line});");
        }
        string at = wide ? "" : " + half";         // 32-byte chunks: rows 4..7 start at byte 16
        string rowsAt = wide ? "" : " + half / 4"; // one byte per row: rows 4..7 start at byte 4
        if (f.LowBits < 8) w.Line($"{vector}<byte> lowMask = {vector}.Create((byte){(1 << f.LowBits) - 1});");
        if (f.HighBits > 0) w.Line($"{vector}<byte> highMask = {vector}.Create((byte){((1 << f.HighBits) - 1) << f.LowBits});");
        w.Line($"{vector}<int> sums = {vector}<int>.Zero;");
        bool pairSums = wide && UsesPairSums(f);
        if (pairSums)
        {
            w.Open($"if (!({KernelIsas.UsesVnni}))");
            int run = ChunksPer16BitSum(f);
            for (int range = 0; range < 8; range++)
            {
                w.Line($"// elements {32 * range} .. {32 * range + 31}: 16-bit pair sums per group, widened once by the group scale");
                int chunksPerGroup = f.SubValues / 4;
                for (int group = 0; group < 32 / f.SubValues; group++)
                {
                    int t = range * 32 / f.SubValues + group;
                    int first = group * chunksPerGroup;
                    for (int c = first; c < first + chunksPerGroup; c++)
                    {
                        string pair = $"PairSums({Value(f, vector, at, range, c)}, x + {32 * range + 4 * c})";
                        string chain = $"pairs{t}_{(c - first) / run}";
                        w.Line((c - first) % run == 0 ? $"{vector}<short> {chain} = {pair};" : $"{chain} += {pair};");
                    }
                    w.Line($"{vector}<short> scale{t} = {ScalePairs($"p + {RepackedLayouts.KQuantLayout.ScalesOffset + 8 * t}")};");
                    w.Line($"sums += {WidenedSums(chunksPerGroup / run, j => $"pairs{t}_{j}", $"scale{t}")};");
                }
            }
            w.Close();
            w.Open("else");
        }
        for (int range = 0; range < 8; range++)
        {
            w.Line($"// elements {32 * range} .. {32 * range + 31}: two chains per group (even and odd chunks), then the group scale");
            int chunksPerGroup = f.SubValues / 4;
            for (int group = 0; group < 32 / f.SubValues; group++)
            {
                int t = range * 32 / f.SubValues + group;
                int first = group * chunksPerGroup;
                w.Line($"{vector}<int> even{t} = {dot}({vector}<int>.Zero, {Value(f, vector, at, range, first)}{asSigned}, {Broadcast(vector, 32 * range + 4 * first)});");
                w.Line($"{vector}<int> odd{t} = {dot}({vector}<int>.Zero, {Value(f, vector, at, range, first + 1)}{asSigned}, {Broadcast(vector, 32 * range + 4 * (first + 1))});");
                for (int c = first + 2; c < first + chunksPerGroup; c++)
                {
                    string chain = (c - first) % 2 == 0 ? $"even{t}" : $"odd{t}";
                    w.Line($"{chain} = {dot}({chain}, {Value(f, vector, at, range, c)}{asSigned}, {Broadcast(vector, 32 * range + 4 * c)});");
                }
                w.Line($"sums += (even{t} + odd{t}) * {Bytes(vector, $"p + {RepackedLayouts.KQuantLayout.ScalesOffset + 8 * t}{rowsAt}", signed: true)};");
            }
        }
        if (pairSums) w.Close();
        // The group sums of the activation: per 16 elements in the input, per 32 for Q4_K/Q5_K's groups.
        w.Line($"{vector}<int> mins = {vector}<int>.Zero;");
        for (int t = 0; t < f.Groups; t++)
        {
            string bsum = f.SubValues == 32 ? $"bsums[{2 * t}] + bsums[{2 * t + 1}]" : $"bsums[{t}]";
            string factor = f.HasMins
                ? Bytes(vector, $"p + {f.MinsOffset + 8 * t}{rowsAt}", signed: false)
                : Bytes(vector, $"p + {RepackedLayouts.KQuantLayout.ScalesOffset + 8 * t}{rowsAt}", signed: true);
            w.Line($"mins += {factor} * {vector}.Create({bsum});");
        }
        string halfs = wide ? "Scales" : "Halfs4";
        w.Line($"{vector}<float> scale = {halfs}(p{(wide ? "" : " + half / 2")}) * {vector}.Create(xd);");
        if (f.HasMins)
        {
            w.Line($"acc = {vector}.MultiplyAddEstimate({vector}.ConvertToSingle(sums), scale, acc);");
            w.Line($"return {vector}.MultiplyAddEstimate({vector}.ConvertToSingle(mins), -({halfs}(p + 16{(wide ? "" : " + half / 2")}) * {vector}.Create(xd)), acc);");
        }
        else
        {
            w.Line($"// The fixed offset {f.Offset} comes back as {f.Offset} * sum(scale * bsum), in integers.");
            w.Line($"return {vector}.MultiplyAddEstimate({vector}.ConvertToSingle(sums - {vector}.ShiftLeft(mins, {Log2(f.Offset)})), scale, acc);");
        }
        w.Close();
    }

    private static void EmitHalfs4(SourceWriter w)
    {
        w.Line("/// <summary>The 4 f16 values at p as floats (exact for finite values; the same integer steps as the 256-bit Scales).</summary>");
        w.Line("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
        w.Open("public static Vector128<float> Halfs4(byte* p)");
        w.Line("Vector128<int> bits = Vector128.Create((int)((ushort*)p)[0], ((ushort*)p)[1], ((ushort*)p)[2], ((ushort*)p)[3]) << 16;");
        w.Line("Vector128<int> single = Vector128.ShiftRightArithmetic(bits, 3) & Vector128.Create(unchecked((int)0x8FFFFFFF));");
        w.Line("return single.AsSingle() * Vector128.Create(0x77800000).AsSingle();");
        w.Close();
    }

    /// <summary>
    /// The unsigned quants of chunk <paramref name="c"/> of 32-element range <paramref name="range"/>: the low field of its
    /// pack, or'ed with the high field moved to bit LowBits. Loads are inline (the packs are re-read from L1 for each
    /// field), which keeps the register pressure at a few accumulators. 16-bit shifts move bits across the bytes of a
    /// lane, but the masks keep only bits that stayed in their byte.
    /// </summary>
    private static string Value(RepackedLayouts.KQuantLayout f, string vector, string at, int range, int c)
    {
        int perLow = 8 / f.LowBits;
        int lowShift = f.LowBits * (range % perLow);
        string low = $"{vector}.Load((ushort*)(p + {f.LowOffset + 256 * (range / perLow) + 32 * c}{at}))";
        string value = f.LowBits == 8 ? $"{low}.AsByte()"
            : lowShift == 0 ? $"({low}.AsByte() & lowMask)"
            : $"({vector}.ShiftRightLogical({low}, {lowShift}).AsByte() & lowMask)";
        if (f.HighBits == 0) return value;
        int perHigh = 8 / f.HighBits;
        int highShift = f.HighBits * (range % perHigh) - f.LowBits; // right if > 0, left if < 0
        string high = $"{vector}.Load((ushort*)(p + {f.HighOffset + 256 * (range / perHigh) + 32 * c}{at}))";
        string moved = highShift > 0 ? $"{vector}.ShiftRightLogical({high}, {highShift})"
            : highShift < 0 ? $"{vector}.ShiftLeft({high}, {-highShift})"
            : high;
        return $"({value} | ({moved}.AsByte() & highMask))";
    }

    private static int Log2(int value)
    {
        int log = 0;
        while ((1 << log) < value) log++;
        return log;
    }

    /// <summary>The 4 activation bytes at <paramref name="offset"/> broadcast to every 32-bit lane.</summary>
    private static string Broadcast(string vector, int offset) => $"{vector}.Create(*(int*)(x + {offset})).AsSByte()";

    /// <summary>The 8 (or 4) bytes at <paramref name="address"/>, one per row, widened to 32-bit lanes.</summary>
    private static string Bytes(string vector, string address, bool signed) => vector == "Vector256"
        ? (signed ? $"Avx2.ConvertToVector256Int32((sbyte*)({address}))" : $"Avx2.ConvertToVector256Int32((byte*)({address}))")
        : (signed ? $"Vector128.Create((int)((sbyte*)({address}))[0], ((sbyte*)({address}))[1], ((sbyte*)({address}))[2], ((sbyte*)({address}))[3])"
                  : $"Vector128.Create((int)({address})[0], ({address})[1], ({address})[2], ({address})[3])");
}
