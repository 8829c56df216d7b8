using System.Globalization;
using LlamaGen.Generator.Helpers;
using LlamaGen.Generator.Model;

namespace LlamaGen.Generator.Emitters;

/// <summary>
/// Emits <c>{Class}.Forward.g.cs</c>: loading, sequences, the activation workspace, and the forward pass as one decode
/// step over a <c>DecodeBatch</c> (any number of sequences, one token each or a prompt chunk). The steps follow llama2.c's
/// <c>run.c</c> <c>forward()</c> so they can be checked against the Llama 2 paper; every size and loop bound is one of the
/// shape constants, and every row (token) is computed on its own, so a token's logits do not depend on what else is in
/// the batch.
/// </summary>
internal static class ForwardEmitter
{
    private const string Ops = "global::LlamaGen.Compute.TensorOps";
    private const string Options = "global::LlamaGen.Models.ModelLoadOptions";
    private const string Attend = "global::LlamaGen.Compute.Attention.Attend";
    private const string Quantize = "global::LlamaGen.Quantization.ActivationQuantizer.QuantizeKernelInput";
    private const string QuantizeK = "global::LlamaGen.Quantization.ActivationQuantizer.QuantizeKernelInputQ8_K";
    private const string Sequences = "global::LlamaGen.Sequences.";
    private const string Native = "global::System.Runtime.InteropServices.NativeMemory";

    public static string Emit(ModelTarget target, ModelPlan plan)
    {
        ModelSpec spec = plan.Spec;
        string cls = target.ClassName;
        bool q8_0 = plan.Q8_0ActivationBytes > 0;
        bool q8_k = plan.Q8_KActivationBytes > 0;
        string batch = Sequences + "DecodeBatch";
        string pool = GeneratedFile.Threading + "WorkerPool";

        SourceWriter w = GeneratedFile.Open(target, target.SpecPath);
        w.Open(GeneratedFile.ClassHeader(target));

        // Attention scores are divided by sqrt(head dimension) exactly as run.c does (a division, not a multiplication by the
        // reciprocal), so the reference and this code round the same way.
        w.Line("// sqrt(HeadDimension). Scores are divided by it as run.c does (not multiplied by the reciprocal), so both round alike.");
        w.Line("private const float AttentionScoreDivisor = " + GeneratedFile.FloatLiteral((float)System.Math.Sqrt(spec.HeadDimension)) + ";");
        if (q8_0)
            w.Line("private const int Q8_0InputBytes = " + Int(plan.Q8_0ActivationBytes) + "; // one row's Q8_0 kernel input, for the widest product with 32-element blocks");
        if (q8_k)
            w.Line("private const int Q8_KInputBytes = " + Int(plan.Q8_KActivationBytes) + "; // one row's Q8_K kernel input, for the widest K-quant product");
        w.Line();
        w.Line("/// <summary>Products with fewer multiply-adds than this run on the calling thread: waking workers would cost more than it saves.</summary>");
        w.Line("public const int ParallelProductSize = 32768;");
        w.Line();
        w.Line("private static " + GeneratedFile.Compute + "RopeTable? ropeTable;");
        w.Line();
        w.Line("// cos/sin for every position up to ContextLength, computed once per model class on first use and shared by the");
        w.Line("// loaded models whose file has no RoPE frequency factors.");
        w.Line("private static " + GeneratedFile.Compute + "RopeTable RopeAngles =>");
        w.Line("    global::System.Threading.LazyInitializer.EnsureInitialized(ref ropeTable, static () => new " +
               GeneratedFile.Compute + "RopeTable(ContextLength, HeadDimension, RopeFreqBase))!;");
        w.Line();
        w.Line("// This model's angles: RopeAngles, or its own table when the file scales them (Llama 3's rope_freqs.weight).");
        w.Line("private readonly " + GeneratedFile.Compute + "RopeTable rope;");
        w.Line();
        w.Line("private readonly " + GeneratedFile.Kernels + "KernelIsa isa;");
        w.Line("private readonly " + GeneratedFile.Compute + "KvCacheType kvCacheType;");
        w.Line("private bool disposed;");
        w.Line();

        EmitLoading(w, cls);
        EmitSequencesAndWorkspace(w, plan, q8_0, q8_k);

        w.Line("// The forward pass, step for step as in llama2.c's run.c forward() and the Llama 2 paper, for every row of the batch");
        w.Line("// (a token of some sequence at its next position). W v is a matrix-vector product (one batched product per weight for");
        w.Line("// all rows), * is elementwise:");
        w.Line("//   x = token_embd[token]");
        w.Line("//   for each block:  xb = RMSNorm(x);  q, k, v = RoPE(Wq xb), RoPE(Wk xb), Wv xb");
        w.Line("//                    x += Wo Attention(q, k, v)");
        w.Line("//                    xb = RMSNorm(x);  x += Wdown (SiLU(Wgate xb) * Wup xb)");
        w.Line("//   logits = Wout RMSNorm(x)");
        w.Line("/// <inheritdoc/>");
        w.Open("public void Decode(" + batch + " batch)");
        w.Line("ThrowIfDisposed();");
        w.Line("if (batch is null) throw new global::System.ArgumentNullException(nameof(batch));");
        w.Line("if (!ReferenceEquals(batch.Model, this)) throw new global::System.ArgumentException(\"The batch was made for another model.\", nameof(batch));");
        w.Line("int rows = batch.Count;");
        w.Line("if (rows == 0) return;");
        w.Line("var ws = (Workspace)batch.Workspace;");
        w.Line(pool + "? pool = batch.Pool;");
        w.Line("// The embedding table may be quantized: dequantize only the rows' tokens.");
        w.Line("for (int i = 0; i < rows; i++)");
        w.Line("    global::LlamaGen.Quantization.Dequantization.Row(tokenEmbedding.Type, tokenEmbedding.Row(batch.TokenOf(i)), new global::System.Span<float>(ws.Residual + i * EmbeddingLength, EmbeddingLength));");
        w.Open("for (int layer = 0; layer < BlockCount; layer++)");
        w.Line("Attention(ws, batch, layer, rows, pool);");
        w.Line("FeedForward(ws, layer, rows, pool);");
        w.Close();
        w.Line("Outputs(ws, batch, pool);");
        w.Line("batch.Complete();");
        w.Close();
        w.Line();

        EmitAttention(w, plan, batch, pool);
        EmitFeedForward(w, plan, pool);
        EmitOutputs(w, plan, batch, pool);
        EmitProducts(w, q8_0, q8_k, pool);
        EmitChecksAndDispose(w, target);

        w.Close();
        return GeneratedFile.Close(w, target);
    }

    private static void EmitLoading(SourceWriter w, string cls)
    {
        w.Open("private " + cls + "(" + GeneratedFile.Gguf + "GgufFile file, " + Options + " options)");
        w.Line("isa = options.Isa ?? " + GeneratedFile.Kernels + "KernelSupport.Best;");
        w.Line(GeneratedFile.Kernels + "KernelSupport.ThrowIfUnsupported(isa);");
        w.Line("kvCacheType = options.KvCacheType;");
        w.Line("// A valid repacked-weights cache (options.WeightCache) is opened before binding (matrices are read from it); one is written after, if anything was repacked.");
        w.Line("interleaved.OpenCache(file, options);");
        w.Line("BindWeights(file, isa);");
        w.Line("interleaved.CompleteCache();");
        w.Line("// Llama 3.1/3.2's per-pair frequency factors (rope_freqs.weight) and linear position scaling (llama.rope.scaling.*)");
        w.Line("// come from the file; without them the class's own table.");
        w.Line("rope = " + GeneratedFile.Models + "RopeScaling.TableFor(file, RopeAngles);");
        w.Line("// Dequantize one embedding row now, so an embedding type the runtime cannot read fails at load, not mid-generation.");
        w.Line("float* probe = stackalloc float[EmbeddingLength];");
        w.Line("global::LlamaGen.Quantization.Dequantization.Row(tokenEmbedding.Type, tokenEmbedding.Row(0), new global::System.Span<float>(probe, EmbeddingLength));");
        w.Close();
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// Binds the weights of <paramref name=\"file\"/> (checked against <see cref=\"Spec\"/> and <see cref=\"Slots\"/>) with the kernels");
        w.Line("/// of the CPU's best ISA. The model reads the file's mapping: keep the file open while the model is used; disposing the");
        w.Line("/// model does not dispose the file. The model holds weights only: decode with sequences (<see cref=\"CreateSequence\"/>) and");
        w.Line("/// batches (<c>new DecodeBatch(model)</c>).");
        w.Line("/// </summary>");
        w.Line("public static " + cls + " Load(" + GeneratedFile.Gguf + "GgufFile file) => Load(file, " + Options + ".Default);");
        w.Line();
        w.Line("/// <summary>Loads the model as <c>Load(file)</c> does, with the kernel ISA and default KV cache type of <paramref name=\"options\"/>.</summary>");
        w.Open("public static " + cls + " Load(" + GeneratedFile.Gguf + "GgufFile file, " + Options + " options)");
        w.Line("if (file is null) throw new global::System.ArgumentNullException(nameof(file));");
        w.Line("if (options is null) throw new global::System.ArgumentNullException(nameof(options));");
        w.Line("return new " + cls + "(file, options);");
        w.Close();
        w.Line();
        w.Line("/// <inheritdoc/>");
        w.Line("public " + GeneratedFile.Kernels + "KernelIsa Isa => isa;");
        w.Line();
        w.Line("/// <inheritdoc/>");
        w.Line("public " + GeneratedFile.Compute + "RopeTable Rope => rope;");
        w.Line();
        w.Line("/// <inheritdoc/>");
        w.Line("public bool IsDisposed => disposed;");
        w.Line();
    }

    private static void EmitSequencesAndWorkspace(SourceWriter w, ModelPlan plan, bool q8_0, bool q8_k)
    {
        w.Line("/// <inheritdoc/>");
        w.Open("public " + Sequences + "Sequence CreateSequence(" + Sequences + "SequenceOptions? options = null)");
        w.Line("ThrowIfDisposed();");
        w.Line("options ??= " + Sequences + "SequenceOptions.Default;");
        w.Line("int positions = options.ContextLength ?? ContextLength;");
        w.Line("if (positions <= 0 || positions > ContextLength)");
        w.Line("    throw new global::System.ArgumentOutOfRangeException(nameof(options), positions, $\"A sequence holds 1..{ContextLength} positions.\");");
        w.Line("var cache = new " + GeneratedFile.Compute + "KvCache(BlockCount, positions, KvDimension, options.KvCacheType ?? kvCacheType);");
        w.Line("return " + Sequences + "Sequence.Create(this, cache, options);");
        w.Close();
        w.Line();
        w.Line("/// <inheritdoc/>");
        w.Open("public " + Sequences + "ModelWorkspace CreateWorkspace(int rows)");
        w.Line("ThrowIfDisposed();");
        w.Line("return new Workspace(rows);");
        w.Close();
        w.Line();

        string[] buffers =
        {
            "Residual|EmbeddingLength|x: the residual stream",
            "Normed|EmbeddingLength|xb: normalized input",
            "Projected|EmbeddingLength|xb2: output of attn_output / ffn_down",
            "Query|QueryDimension|q",
            "Attended|QueryDimension|xb: the attention output, input of attn_output",
            "Key|KvDimension|k, stored into the cache after RoPE",
            "Value|KvDimension|v",
            "Hidden|FeedForwardLength|hb: gate, then SiLU(gate) * up",
            "HiddenUp|FeedForwardLength|hb2: up",
            "Final|EmbeddingLength|the rows that leave logits, after the output norm",
        };
        w.Line("// The activations of up to Rows tokens, row-major (one row per token), 64-byte aligned for the SIMD kernels; allocated");
        w.Line("// once per DecodeBatch, never per step.");
        w.Open("private sealed class Workspace : " + Sequences + "ModelWorkspace");
        foreach (string buffer in buffers)
        {
            string[] parts = buffer.Split('|');
            w.Line($"public float* {parts[0]}; // [Rows][{parts[1]}] {parts[2]}");
        }
        w.Line("public float* Scores;   // att: attention scores [ScoreSlices][HeadCount][ContextLength], a slice per thread that attends");
        w.Line("public readonly int ScoreSlices;");
        if (q8_0) w.Line("public byte* Q8_0Input; // [Rows][Q8_0InputBytes]: each row quantized alone, at the stride of its product's kernels");
        if (q8_k) w.Line("public byte* Q8_KInput; // [Rows][Q8_KInputBytes], likewise");
        w.Line();
        w.Open("public Workspace(int rows) : base(rows)");
        foreach (string buffer in buffers)
        {
            string[] parts = buffer.Split('|');
            w.Line($"{parts[0]} = Allocate((long)rows * {parts[1]});");
        }
        w.Line("ScoreSlices = global::System.Math.Max(1, global::System.Math.Min(rows, global::LlamaGen.Threading.WorkerPool.DefaultThreadCount));");
        w.Line("Scores = Allocate((long)ScoreSlices * HeadCount * ContextLength);");
        if (q8_0) w.Line("Q8_0Input = (byte*)" + Native + ".AlignedAlloc((nuint)((long)rows * Q8_0InputBytes), 64);");
        if (q8_k) w.Line("Q8_KInput = (byte*)" + Native + ".AlignedAlloc((nuint)((long)rows * Q8_KInputBytes), 64);");
        w.Close();
        w.Line();
        w.Line("private static float* Allocate(long count) => (float*)" + Native + ".AlignedAlloc((nuint)count * sizeof(float), 64);");
        w.Line();
        w.Open("protected override void Free()");
        foreach (string buffer in buffers)
        {
            string name = buffer.Split('|')[0];
            w.Line(Native + ".AlignedFree(" + name + ");");
            w.Line(name + " = null;");
        }
        w.Line(Native + ".AlignedFree(Scores);");
        w.Line("Scores = null;");
        foreach (string? name in new[] { q8_0 ? "Q8_0Input" : null, q8_k ? "Q8_KInput" : null })
        {
            if (name is null) continue;
            w.Line(Native + ".AlignedFree(" + name + ");");
            w.Line(name + " = null;");
        }
        w.Close();
        w.Close();
        w.Line();
    }

    private static void EmitAttention(SourceWriter w, ModelPlan plan, string batch, string pool)
    {
        MatrixRole wq = plan.Role("attn_q"), wo = plan.Role("attn_output");
        w.Line("// One block's attention sublayer for every row (run.c: from the attention rmsnorm to the residual connection).");
        w.Open("private void Attention(Workspace ws, " + batch + " batch, int layer, int rows, " + pool + "? pool)");
        w.Line("// Pre-attention RMSNorm.");
        w.Line("for (int i = 0; i < rows; i++)");
        w.Line("    " + Ops + ".RmsNorm(ws.Normed + i * EmbeddingLength, ws.Residual + i * EmbeddingLength, (float*)attentionNorm[layer].Pointer, EmbeddingLength, RmsEpsilon);");
        w.Line();
        w.Line("// q, k, v.");
        QuantizeIfNeeded(w, plan, "ws.Normed", "EmbeddingLength", wq.Columns, "attentionQuery[layer]", "attentionKey[layer]", "attentionValue[layer]");
        w.Line("Multiply(attentionQuery[layer], ws.Normed, ws.Query, rows, ws, pool);");
        w.Line("Multiply(attentionKey[layer], ws.Normed, ws.Key, rows, ws, pool);");
        w.Line("Multiply(attentionValue[layer], ws.Normed, ws.Value, rows, ws, pool);");
        w.Line();
        w.Line("// RoPE: rotate each adjacent pair (2i, 2i+1) of every query and key head by position * base^(-2i/HeadDimension)");
        w.Line("// (divided by the pair's frequency factor when the file has them); then");
        w.Line("// the key and value go into the row's sequence's cache at its position. Every row's key and value are cached before any");
        w.Line("// row attends, and a row reads only positions <= its own, so rows of one sequence in one batch stay causal.");
        w.Open("for (int i = 0; i < rows; i++)");
        w.Line("int position = batch.PositionOf(i);");
        w.Line("rope.Rotate(ws.Query + i * QueryDimension, HeadCount, position);");
        w.Line("rope.Rotate(ws.Key + i * KvDimension, HeadCountKv, position);");
        w.Line("batch.SequenceOf(i).Cache.Store(layer, position, ws.Key + i * KvDimension, ws.Value + i * KvDimension);");
        w.Close();
        w.Line();
        w.Line("// Multi-head attention with grouped-query heads (run.c's kv_mul is GroupSize): query head h uses KV head");
        w.Line("// h / GroupSize. score[t] = dot(q, k[t]) / sqrt(HeadDimension), softmax over t <= position, then the score-weighted");
        w.Line("// sum of v[t]; each cached row is read once for all heads. Several rows attend on all threads, a score slice each.");
        w.Line("int slices = pool is null ? 1 : global::System.Math.Min(global::System.Math.Min(rows, ws.ScoreSlices), pool.ThreadCount);");
        w.Line("if (slices > 1)");
        w.Line("    pool!.Run(new global::LlamaGen.Compute.AttentionRows(batch, layer, rows, slices, ws.Query, ws.Attended, ws.Scores, ContextLength,");
        w.Line("        HeadCount, HeadDimension, QueryDimension, AttentionScoreDivisor), slices);");
        w.Line("else");
        w.Line("    for (int i = 0; i < rows; i++)");
        w.Line("        " + Attend + "(batch.SequenceOf(i).Cache, layer, batch.PositionOf(i), ws.Query + i * QueryDimension, ws.Attended + i * QueryDimension,");
        w.Line("            ws.Scores, ContextLength, HeadCount, HeadDimension, AttentionScoreDivisor);");
        w.Line();
        w.Line("// Output projection and residual connection.");
        QuantizeIfNeeded(w, plan, "ws.Attended", "QueryDimension", wo.Columns, "attentionOutput[layer]");
        w.Line("Multiply(attentionOutput[layer], ws.Attended, ws.Projected, rows, ws, pool);");
        w.Line(Ops + ".Add(ws.Residual, ws.Projected, rows * EmbeddingLength);");
        w.Close();
        w.Line();
    }

    private static void EmitFeedForward(SourceWriter w, ModelPlan plan, string pool)
    {
        MatrixRole gate = plan.Role("ffn_gate"), down = plan.Role("ffn_down");
        w.Line("// One block's feed-forward sublayer for every row (run.c: from the ffn rmsnorm to the residual connection).");
        w.Open("private void FeedForward(Workspace ws, int layer, int rows, " + pool + "? pool)");
        w.Line("// Pre-FFN RMSNorm.");
        w.Line("for (int i = 0; i < rows; i++)");
        w.Line("    " + Ops + ".RmsNorm(ws.Normed + i * EmbeddingLength, ws.Residual + i * EmbeddingLength, (float*)feedForwardNorm[layer].Pointer, EmbeddingLength, RmsEpsilon);");
        w.Line();
        w.Line("// SwiGLU: down(SiLU(gate(x)) * up(x)), the elementwise step row by row so a row's result never depends on its neighbours.");
        QuantizeIfNeeded(w, plan, "ws.Normed", "EmbeddingLength", gate.Columns, "feedForwardGate[layer]", "feedForwardUp[layer]");
        w.Line("Multiply(feedForwardGate[layer], ws.Normed, ws.Hidden, rows, ws, pool);");
        w.Line("Multiply(feedForwardUp[layer], ws.Normed, ws.HiddenUp, rows, ws, pool);");
        w.Line("for (int i = 0; i < rows; i++)");
        w.Line("    " + Ops + ".SiluMultiply(ws.Hidden + i * FeedForwardLength, ws.HiddenUp + i * FeedForwardLength, FeedForwardLength);");
        QuantizeIfNeeded(w, plan, "ws.Hidden", "FeedForwardLength", down.Columns, "feedForwardDown[layer]");
        w.Line("Multiply(feedForwardDown[layer], ws.Hidden, ws.Projected, rows, ws, pool);");
        w.Line();
        w.Line("// Residual connection.");
        w.Line(Ops + ".Add(ws.Residual, ws.Projected, rows * EmbeddingLength);");
        w.Close();
        w.Line();
    }

    private static void EmitOutputs(SourceWriter w, ModelPlan plan, string batch, string pool)
    {
        w.Line("// The rows' outputs: the final RMSNorm, then the classifier for the rows that leave logits (their normed states gathered");
        w.Line("// into consecutive rows, one batched product into the batch's consecutive logit slots); the normed state itself for");
        w.Line("// the rows that leave embeddings.");
        w.Open("private void Outputs(Workspace ws, " + batch + " batch, " + pool + "? pool)");
        w.Line("for (int slot = 0; slot < batch.EmbeddingCount; slot++)");
        w.Line("    " + Ops + ".RmsNorm(batch.EmbeddingOf(slot), ws.Residual + batch.EmbeddingRowOf(slot) * EmbeddingLength, (float*)outputNorm.Pointer, EmbeddingLength, RmsEpsilon);");
        w.Line("int logitRows = batch.LogitCount;");
        w.Line("if (logitRows == 0) return;");
        w.Line("for (int slot = 0; slot < logitRows; slot++)");
        w.Line("    " + Ops + ".RmsNorm(ws.Final + slot * EmbeddingLength, ws.Residual + batch.LogitRowOf(slot) * EmbeddingLength, (float*)outputNorm.Pointer, EmbeddingLength, RmsEpsilon);");
        QuantizeRows(w, plan, "ws.Final", "EmbeddingLength", plan.Classifier.Columns, "logitRows", "output");
        w.Line("Multiply(output, ws.Final, batch.LogitsOf(0), logitRows, ws, pool);");
        w.Close();
        w.Line();
    }

    private static void EmitProducts(SourceWriter w, bool q8_0, bool q8_k, string pool)
    {
        string kernels = GeneratedFile.Kernels;
        w.Line("// y = W x for each of the tokens (rows of x and y) with the matrix's kernels: one token through the matrix-vector kernel,");
        w.Line("// several through the batched product, which reads each weight group once for all of them and gives each token the");
        w.Line("// matrix-vector kernel's result bit for bit. Large products split by rows over the pool on the kernels' 8-row groups, so");
        w.Line("// every row's arithmetic, and the logits, are the same for any thread count. Quantized weights read the rows' activation");
        w.Line("// quantized beforehand into the Q8_0 or Q8_K input their kernels expect.");
        w.Open("private static void Multiply(in " + GeneratedFile.Models + "BoundMatrix matrix, float* x, float* y, int tokens, Workspace ws, " + pool + "? pool)");
        w.Line(kernels + "MatrixKernels kernel = matrix.Kernels;");
        string q0 = q8_0 ? "ws.Q8_0Input" : "null", qk = q8_k ? "ws.Q8_KInput" : "null";
        w.Line("byte* xq8 = kernel.Input == " + kernels + "KernelInput.Q8_0 ? " + q0 + " : kernel.Input == " + kernels + "KernelInput.Q8_K ? " + qk + " : null;");
        w.Line("int rows = matrix.Rows;");
        w.Line("bool split = pool is not null && (long)rows * kernel.Columns * tokens >= ParallelProductSize;");
        w.Open("if (tokens == 1)");
        w.Line("if (split) pool!.Run(new " + kernels + "MatVecRows(kernel, matrix.Tensor.Pointer, x, xq8, y), rows, rowAlignment: 8);");
        w.Line("else kernel.Multiply(matrix.Tensor.Pointer, x, xq8, y, 0, rows);");
        w.Close();
        w.Line("else if (split) pool!.Run(new " + kernels + "MatMulRows(kernel, matrix.Tensor.Pointer, x, xq8, y, rows, tokens), rows, rowAlignment: 8);");
        w.Line("else kernel.MultiplyBatch(matrix.Tensor.Pointer, x, xq8, y, rows, tokens, 0, rows);");
        w.Close();
        w.Line();
    }

    private static void EmitChecksAndDispose(SourceWriter w, ModelTarget target)
    {
        w.Open("private void ThrowIfDisposed()");
        w.Line("if (disposed) throw new global::System.ObjectDisposedException(" + GeneratedFile.Literal(target.ClassName) + ", \"The model was disposed; its sequences can no longer decode.\");");
        w.Close();
        w.Line();
        w.Line("/// <summary>Frees the repacked weights. The GGUF file stays open; its owner disposes it. Sequences and batches free their own buffers.</summary>");
        w.Open("public void Dispose()");
        w.Line("disposed = true;");
        w.Line("interleaved.Dispose();");
        w.Close();
    }

    /// <summary>
    /// Quantizes the <c>rows</c> rows of <paramref name="x"/> once for all the
    /// products that read them: each row on its own into Q8_0 blocks when any of their weights has 32-element blocks, into
    /// Q8_K super-blocks when any is a K-quant (a mixed model may need both), at the stride of those products' kernels.
    /// Emits nothing for a format no kernel for rows of <paramref name="columns"/> reads.
    /// </summary>
    private static void QuantizeIfNeeded(SourceWriter w, ModelPlan plan, string x, string count, int columns, params string[] weights) =>
        QuantizeRows(w, plan, x, count, columns, "rows", weights);

    private static void QuantizeRows(SourceWriter w, ModelPlan plan, string x, string count, int columns, string rows, params string[] weights)
    {
        if (plan.NeedsQ8_0Activation(columns))
        {
            string stride = Int(Shared.RepackedLayouts.Q8_0InputBytes(columns));
            w.Line("if (" + AnyReads("Q8_0", weights) + ")");
            w.Line("    for (int i = 0; i < " + rows + "; i++) " + Quantize + "(" + x + " + i * " + count + ", ws.Q8_0Input + i * " + stride + ", " + count + ");");
        }
        if (plan.NeedsQ8_KActivation(columns))
        {
            string stride = Int(Shared.RepackedLayouts.Q8_KInputBytes(columns));
            w.Line("if (" + AnyReads("Q8_K", weights) + ")");
            w.Line("    for (int i = 0; i < " + rows + "; i++) " + QuantizeK + "(" + x + " + i * " + count + ", ws.Q8_KInput + i * " + stride + ", " + count + ");");
        }
    }

    private static string AnyReads(string input, string[] weights)
    {
        var condition = new System.Text.StringBuilder();
        foreach (string weight in weights)
        {
            if (condition.Length > 0) condition.Append(" || ");
            condition.Append(weight).Append(".Input == ").Append(GeneratedFile.Kernels).Append("KernelInput.").Append(input);
        }
        return condition.ToString();
    }

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);
}
