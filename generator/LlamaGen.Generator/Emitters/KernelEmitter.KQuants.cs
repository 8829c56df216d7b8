using LlamaGen.Generator.Helpers;
using LlamaGen.Generator.Model;

namespace LlamaGen.Generator.Emitters;

/// <remarks>
/// K-quant kernels (Q2_K, Q3_K, Q4_K, Q5_K, Q6_K) over the layout the runtime repacks them into at load time
/// (<c>LlamaGen.Quantization.KQuantInterleavedLayout</c>): per group of 8 rows and 256-element super-block, the rows' f16
/// <c>d</c> and <c>dmin</c>, their group scales (and mins) one byte each, then the unsigned quants split into packs of low
/// bits (2 or 4 per element) and high bits (0, 1 or 2), each 32-byte chunk holding 4 consecutive elements of each of the 8
/// rows. The input is <c>ActivationQuantizer.QuantizeKernelInputQ8_K</c>'s: the Q8_K quants, a float scale per super-block
/// and an int sum per 16 elements.
///
/// The arithmetic is llama.cpp's <c>ggml_vec_dot_q*_K_q8_K</c>: per group of 16 or 32 elements an exact integer dot
/// product of unsigned quants and signed activation bytes (<c>vpdpbusd</c> per 8 rows, as the Q4_0 kernels), times the
/// group's integer scale, summed over the super-block in integers; the mins (or the fixed offset 4 / 32 of Q3_K / Q6_K)
/// come back through the activation's group sums: <c>d * xd * sum(scale * dot) - dmin * xd * sum(min * bsum)</c>. So the
/// only float operations are two per super-block and row, and the results differ from llama.cpp's only by float rounding.
/// </remarks>
internal static partial class KernelEmitter
{
    /// <summary>The repacked layout of one K-quant type (mirrors <c>KQuantInterleavedLayout</c> in the runtime).</summary>
    private sealed class KFormat
    {
        public KFormat(string type)
        {
            Bits = type switch { "Q2_K" => 2, "Q3_K" => 3, "Q4_K" => 4, "Q5_K" => 5, _ => 6 };
            LowBits = type is "Q2_K" or "Q3_K" ? 2 : type == "Q4_K" ? 4 : 8; // whole bytes for Q5_K/Q6_K: see the runtime layout
            HighBits = System.Math.Max(0, Bits - LowBits);
            SubValues = type is "Q4_K" or "Q5_K" ? 32 : 16;
            HasMins = type is "Q2_K" or "Q4_K" or "Q5_K";
            Offset = type == "Q3_K" ? 4 : type == "Q6_K" ? 32 : 0;
            Groups = 256 / SubValues;
            MinsOffset = 32 + 8 * Groups;
            LowOffset = MinsOffset + (HasMins ? 8 * Groups : 0);
            HighOffset = LowOffset + 8 * 256 * LowBits / 8;
            SuperGroupBytes = HighOffset + 8 * 256 * HighBits / 8;
        }

        public int Bits { get; }
        public int LowBits { get; }
        public int HighBits { get; }
        public int SubValues { get; }
        public bool HasMins { get; }
        public int Offset { get; }
        public int Groups { get; }
        public int MinsOffset { get; }
        public int LowOffset { get; }
        public int HighOffset { get; }
        public int SuperGroupBytes { get; }
    }

    private static void EmitKQuant(SourceWriter w, MatVecKernel kernel, string isa)
    {
        var f = new KFormat(kernel.TypeName);
        EmitIsaGuard(w, isa);
        w.Line($"const int SuperBlocks = {kernel.Columns / SuperBlockValues};");
        w.Line($"const int SuperGroupBytes = {f.SuperGroupBytes}; // 8 rows x one {kernel.TypeName} super-block, repacked");
        w.Line("const int GroupBytes = SuperBlocks * SuperGroupBytes;");
        w.Line("// The input: the Q8_K quants, a float scale per super-block, an int sum per 16 quants (QuantizeKernelInputQ8_K).");
        w.Line("sbyte* xq = (sbyte*)xq8;");
        w.Line($"float* xd = (float*)(xq8 + {kernel.Columns});");
        w.Line("int* xs = (int*)(xd + SuperBlocks);");
        w.Open("for (int g = rowStart / 8; g * 8 < rowEnd; g++)");
        w.Line("byte* p = weights + (nint)g * GroupBytes;");
        switch (isa)
        {
            case "Scalar":
                EmitKScalarGroup(w, f);
                break;
            case "Vector128":
            case "Neon":
                w.Line("Vector128<float> acc0 = Vector128<float>.Zero, acc1 = Vector128<float>.Zero;");
                w.Open("for (int s = 0; s < SuperBlocks; s++)");
                w.Line("acc0 = SuperBlock(p + s * SuperGroupBytes, 0, xq + s * 256, xd[s], xs + s * 16, acc0);");
                w.Line("acc1 = SuperBlock(p + s * SuperGroupBytes, 16, xq + s * 256, xd[s], xs + s * 16, acc1);");
                w.Close();
                w.Line("StoreGroup(acc0, acc1, y, g * 8, rowStart, rowEnd);");
                break;
            default:
                w.Line("Vector256<float> acc = Vector256<float>.Zero;");
                w.Line("for (int s = 0; s < SuperBlocks; s++) acc = SuperBlock(p + s * SuperGroupBytes, xq + s * 256, xd[s], xs + s * 16, acc);");
                w.Line("StoreGroup(acc, y, g * 8, rowStart, rowEnd);");
                break;
        }
        w.Close();

        switch (isa)
        {
            case "Scalar":
                break;
            case "Vector128":
            case "Neon":
                EmitKSuperBlock(w, f, "Vector128");
                EmitKDot128(w, isa == "Neon");
                EmitStoreGroup128(w);
                break;
            default:
                EmitKSuperBlock(w, f, "Vector256");
                EmitKDot256(w);
                EmitStoreGroup256(w);
                break;
        }
    }

    /// <summary>Whether the x86 variants get a batched K-quant kernel (<see cref="EmitKQuantBatch"/>).</summary>
    public static bool HasKQuantBatch(MatVecKernel kernel) => IsKQuant(kernel) && IsSupported(kernel, out _);

    /// <summary>
    /// Emits <c>{kernel.BatchName}_{isa}</c> for Avx2 (the AVX-512 dispatch uses it too): the single-token kernel with the loops turned around, each
    /// group of 8 rows (the outer loop) applied to every token before the next group, so a group's weights (19 KB per
    /// 4096 columns of Q4_K) come from memory once per prompt chunk and from L1/L2 for the other tokens. Every token's
    /// arithmetic is the single-token kernel's, so the results are bit-identical.
    /// </summary>
    public static void EmitKQuantBatch(SourceWriter w, MatVecKernel kernel, string isa)
    {
        var f = new KFormat(kernel.TypeName);
        w.Line($"/// <summary>{Describe(kernel)}, for each of <paramref name=\"tokens\"/> inputs; {isa} variant.</summary>");
        w.Open($"public static void {kernel.BatchName}_{isa}(byte* weights, float* x, byte* xq8, float* y, int tokens, int rowStart, int rowEnd)");
        w.Line($"const int Rows = {kernel.Rows};");
        w.Line("Debug.Assert(0 <= rowStart && rowStart <= rowEnd && rowEnd <= Rows, \"rows out of range\");");
        w.Line(isa == "Avx512"
            ? "if (!Avx512F.IsSupported || !Avx512BW.IsSupported) throw new PlatformNotSupportedException(\"AVX-512 F and BW are required.\");"
            : "if (!Avx2.IsSupported || !Fma.IsSupported) throw new PlatformNotSupportedException(\"AVX2 and FMA are required.\");");
        w.Line($"const int SuperBlocks = {kernel.Columns / SuperBlockValues};");
        w.Line($"const int SuperGroupBytes = {f.SuperGroupBytes};");
        w.Line("const int GroupBytes = SuperBlocks * SuperGroupBytes;");
        w.Line($"const int InputBytes = {KInputBytes(kernel.Columns)}; // one token's input (ActivationQuantizer.KernelInputBytesQ8_K)");
        w.Open("for (int g = rowStart / 8; g * 8 < rowEnd; g++)");
        w.Line("byte* p = weights + (nint)g * GroupBytes;");
        w.Open("for (int t = 0; t < tokens; t++)");
        w.Line("byte* input = xq8 + (nint)t * InputBytes;");
        w.Line("sbyte* xq = (sbyte*)input;");
        w.Line($"float* xd = (float*)(input + {kernel.Columns});");
        w.Line("int* xs = (int*)(xd + SuperBlocks);");
        w.Line("Vector256<float> acc = Vector256<float>.Zero;");
        w.Line("for (int s = 0; s < SuperBlocks; s++) acc = SuperBlock(p + s * SuperGroupBytes, xq + s * 256, xd[s], xs + s * 16, acc);");
        w.Line("StoreGroup(acc, y + (nint)t * Rows, g * 8, rowStart, rowEnd);");
        w.Close();
        w.Close();
        EmitKSuperBlock(w, f, "Vector256");
        EmitKDot256(w);
        EmitStoreGroup256(w);
        w.Close();
        w.Line();
    }

    /// <summary>The scalar group: each row's integer sums exactly as the layout defines them.</summary>
    private static void EmitKScalarGroup(SourceWriter w, KFormat f)
    {
        w.Open("for (int lane = 0; lane < 8; lane++)");
        w.Line("int row = g * 8 + lane;");
        w.Line("if (row < rowStart || row >= rowEnd) continue;");
        w.Line("float sum = 0f;");
        w.Open("for (int s = 0; s < SuperBlocks; s++)");
        w.Line("byte* q = p + s * SuperGroupBytes;");
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
        w.Line("int scale = (sbyte)q[32 + 8 * t + lane];");
        w.Line("dots += scale * dot;");
        w.Line(f.HasMins ? $"mins += q[{f.MinsOffset} + 8 * t + lane] * bsum;" : "mins += scale * bsum;");
        w.Close();
        w.Line("float d = (float)((Half*)q)[lane] * xd[s];");
        w.Line(f.HasMins
            ? "sum += dots * d - mins * ((float)((Half*)(q + 16))[lane] * xd[s]);"
            : $"sum += (dots - {f.Offset} * mins) * d;");
        w.Close();
        w.Line("y[row] = sum;");
        w.Close();
    }

    /// <summary>
    /// One super-block of a group: 256-bit vectors hold the 8 rows (AVX2, AVX-512); 128-bit ones (Vector128, NEON) hold
    /// the 4 rows starting at byte <c>half</c> (0 or 16) of each 32-byte chunk.
    /// </summary>
    private static void EmitKSuperBlock(SourceWriter w, KFormat f, string vector)
    {
        bool wide = vector == "Vector256";
        string lanes = wide ? "8 rows" : "4 rows";
        w.Line();
        w.Line($"// acc + the super-block's products for {lanes}: integer dots per group of {f.SubValues}, times the group scales, in");
        w.Line("// integers; then the d (and dmin) scaling in float.");
        w.Line("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
        w.Open(wide
            ? "static Vector256<float> SuperBlock(byte* p, sbyte* x, float xd, int* bsums, Vector256<float> acc)"
            : "static Vector128<float> SuperBlock(byte* p, int half, sbyte* x, float xd, int* bsums, Vector128<float> acc)");
        if (wide)
        {
            w.Line($"// Software prefetch {KPrefetchDistance} super-blocks ahead (the group's super-blocks are contiguous).");
            for (int line = 0; line < f.SuperGroupBytes; line += 64)
                w.Line($"Sse.Prefetch0(p + {KPrefetchDistance * f.SuperGroupBytes + line});");
        }
        string at = wide ? "" : " + half";         // 32-byte chunks: rows 4..7 start at byte 16
        string rowsAt = wide ? "" : " + half / 4"; // one byte per row: rows 4..7 start at byte 4
        if (f.LowBits < 8) w.Line($"{vector}<byte> lowMask = {vector}.Create((byte){(1 << f.LowBits) - 1});");
        if (f.HighBits > 0) w.Line($"{vector}<byte> highMask = {vector}.Create((byte){((1 << f.HighBits) - 1) << f.LowBits});");
        w.Line($"{vector}<int> sums = {vector}<int>.Zero;");
        for (int range = 0; range < 8; range++)
        {
            w.Line($"// elements {32 * range} .. {32 * range + 31}: two chains per group (even and odd chunks), then the group scale");
            int chunksPerGroup = f.SubValues / 4;
            for (int group = 0; group < 32 / f.SubValues; group++)
            {
                int t = range * 32 / f.SubValues + group;
                int first = group * chunksPerGroup;
                w.Line($"{vector}<int> even{t} = Dot({vector}<int>.Zero, {KValue(f, vector, at, range, first)}, {Broadcast(vector, 32 * range + 4 * first)});");
                w.Line($"{vector}<int> odd{t} = Dot({vector}<int>.Zero, {KValue(f, vector, at, range, first + 1)}, {Broadcast(vector, 32 * range + 4 * (first + 1))});");
                for (int c = first + 2; c < first + chunksPerGroup; c++)
                {
                    string chain = (c - first) % 2 == 0 ? $"even{t}" : $"odd{t}";
                    w.Line($"{chain} = Dot({chain}, {KValue(f, vector, at, range, c)}, {Broadcast(vector, 32 * range + 4 * c)});");
                }
                w.Line($"sums += (even{t} + odd{t}) * {Bytes(vector, $"p + {32 + 8 * t}{rowsAt}", signed: true)};");
            }
        }
        // The group sums of the activation: per 16 elements in the input, per 32 for Q4_K/Q5_K's groups.
        w.Line($"{vector}<int> mins = {vector}<int>.Zero;");
        for (int t = 0; t < f.Groups; t++)
        {
            string bsum = f.SubValues == 32 ? $"bsums[{2 * t}] + bsums[{2 * t + 1}]" : $"bsums[{t}]";
            string factor = f.HasMins ? Bytes(vector, $"p + {f.MinsOffset + 8 * t}{rowsAt}", signed: false) : Bytes(vector, $"p + {32 + 8 * t}{rowsAt}", signed: true);
            w.Line($"mins += {factor} * {vector}.Create({bsum});");
        }
        w.Line($"{vector}<float> scale = Halfs(p{(wide ? "" : " + half / 2")}) * {vector}.Create(xd);");
        if (f.HasMins)
        {
            w.Line($"acc = {vector}.MultiplyAddEstimate({vector}.ConvertToSingle(sums), scale, acc);");
            w.Line($"return {vector}.MultiplyAddEstimate({vector}.ConvertToSingle(mins), -(Halfs(p + 16{(wide ? "" : " + half / 2")}) * {vector}.Create(xd)), acc);");
        }
        else
        {
            w.Line($"// The fixed offset {f.Offset} comes back as {f.Offset} * sum(scale * bsum), in integers.");
            w.Line($"return {vector}.MultiplyAddEstimate({vector}.ConvertToSingle(sums - {vector}.ShiftLeft(mins, {Log2(f.Offset)})), scale, acc);");
        }
        w.Close();

        w.Line();
        w.Line($"// The {lanes}' f16 scales at p as floats (exact for finite values: bits into the lane's top half, arithmetic shift");
        w.Line("// right by 3, clear the copies of the sign, times 2^112; non-finite scales are refused at load).");
        w.Line("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
        w.Open($"static {vector}<float> Halfs(byte* p)");
        w.Line(wide
            ? "Vector256<int> bits = Avx2.ConvertToVector256Int32((ushort*)p) << 16;"
            : "Vector128<int> bits = Vector128.Create((int)((ushort*)p)[0], ((ushort*)p)[1], ((ushort*)p)[2], ((ushort*)p)[3]) << 16;");
        w.Line($"{vector}<int> single = {vector}.ShiftRightArithmetic(bits, 3) & {vector}.Create(unchecked((int)0x8FFFFFFF));");
        w.Line($"return single.AsSingle() * {vector}.Create(0x77800000).AsSingle();");
        w.Close();
    }

    /// <summary>
    /// The unsigned quants of chunk <paramref name="c"/> of 32-element range <paramref name="range"/>: the low field of its
    /// pack, or'ed with the high field moved to bit LowBits. Loads are inline (the packs are re-read from L1 for each
    /// field), which keeps the register pressure at a few accumulators. 16-bit shifts move bits across the bytes of a
    /// lane, but the masks keep only bits that stayed in their byte.
    /// </summary>
    private static string KValue(KFormat f, string vector, string at, int range, int c)
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

    private const int KPrefetchDistance = 4;

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

    private static void EmitKDot256(SourceWriter w)
    {
        w.Line();
        w.Line("// acc + sums of 4 adjacent u8 x s8 products per 32-bit lane (vpdpbusd with AVX-VNNI). Without VNNI, vpmaddubsw:");
        w.Line("// quants are at most 63, so a pair is at most 2 * 63 * 128 and the 16-bit step never saturates.");
        w.Line("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
        w.Open("static Vector256<int> Dot(Vector256<int> acc, Vector256<byte> u, Vector256<sbyte> x)");
        w.Line("if (AvxVnni.IsSupported) return AvxVnni.MultiplyWideningAndAdd(acc, u, x);");
        w.Line("return acc + Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(u, x), Vector256.Create((short)1));");
        w.Close();
    }

    private static void EmitKDot128(SourceWriter w, bool neon)
    {
        w.Line();
        w.Line("// acc + per 32-bit lane the sum of its 4 byte products (quants 0..63 are valid signed bytes).");
        w.Line("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
        w.Open("static Vector128<int> Dot(Vector128<int> acc, Vector128<byte> u, Vector128<sbyte> x)");
        w.Line("Vector128<sbyte> a = u.AsSByte();");
        if (neon)
        {
            w.Line("if (Dp.IsSupported) return Dp.DotProduct(acc, a, x);");
            w.Line("Vector128<int> lower = AdvSimd.AddPairwiseWidening(AdvSimd.MultiplyWideningLower(a.GetLower(), x.GetLower()));");
            w.Line("Vector128<int> upper = AdvSimd.AddPairwiseWidening(AdvSimd.MultiplyWideningUpper(a, x));");
            w.Line("return acc + AdvSimd.Arm64.AddPairwise(lower, upper);");
        }
        else
        {
            w.Line("(Vector128<short> a0, Vector128<short> a1) = Vector128.Widen(a);");
            w.Line("(Vector128<short> b0, Vector128<short> b1) = Vector128.Widen(x);");
            w.Line("(Vector128<int> p0, Vector128<int> p1) = Vector128.Widen(a0 * b0); // lanes 0, 1: 4 products each");
            w.Line("(Vector128<int> p2, Vector128<int> p3) = Vector128.Widen(a1 * b1); // lanes 2, 3");
            w.Line("return acc + Vector128.Create(Vector128.Sum(p0), Vector128.Sum(p1), Vector128.Sum(p2), Vector128.Sum(p3));");
        }
        w.Close();
    }
}
