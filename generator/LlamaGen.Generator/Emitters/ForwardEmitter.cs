using System.Collections.Generic;
using System.Globalization;
using LlamaGen.Generator.Helpers;
using LlamaGen.Generator.Model;

namespace LlamaGen.Generator.Emitters;

/// <summary>
/// Emits <c>{Class}.Forward.g.cs</c>: construction and loading, the per-instance buffers, and the forward pass.
/// The emitted forward pass follows llama2.c's <c>run.c</c> <c>forward()</c> step by step so it can be checked
/// against the Llama 2 paper; every size and loop bound is one of the shape constants.
/// </summary>
internal static class ForwardEmitter
{
    private const string Ops = "global::LlamaGen.Inference.TensorOps";

    public static string Emit(ModelTarget target, ModelSpec spec)
    {
        var plan = new ModelPlan(spec);
        string cls = target.ClassName;
        string native = "global::System.Runtime.InteropServices.NativeMemory";
        bool quantized = plan.QuantizedActivationBytes > 0;
        string xq8 = quantized ? "quantizedActivation" : "null";

        SourceWriter w = GeneratedFile.Open(target, target.SpecPath);
        w.Open(GeneratedFile.ClassHeader(target));

        // Attention scores are divided by sqrt(head dimension) exactly as run.c does (a division, not a
        // multiplication by the reciprocal), so the reference and this code round the same way.
        w.Line("// sqrt(HeadDimension). Scores are divided by it as run.c does (not multiplied by the reciprocal), so both round alike.");
        w.Line("private const float AttentionScoreDivisor = " + GeneratedFile.FloatLiteral((float)System.Math.Sqrt(spec.HeadDimension)) + ";");
        if (quantized)
            w.Line("private const int QuantizedActivationBytes = " + plan.QuantizedActivationBytes.ToString(CultureInfo.InvariantCulture) +
                   "; // Q8_0: 34 bytes per 32 values, for the widest quantized product");
        w.Line();
        w.Line("private static " + GeneratedFile.Inference + "RopeTable? ropeTable;");
        w.Line();
        w.Line("// cos/sin for every position up to ContextLength, computed once per model class on first use.");
        w.Line("private static " + GeneratedFile.Inference + "RopeTable Rope =>");
        w.Line("    global::System.Threading.LazyInitializer.EnsureInitialized(ref ropeTable, static () => new " +
               GeneratedFile.Inference + "RopeTable(ContextLength, HeadDimension, RopeFreqBase))!;");
        w.Line();
        w.Line("private readonly " + GeneratedFile.Inference + "KvCache kvCache;");
        w.Line("// Activations, allocated once per instance (never per token) and 64-byte aligned for the SIMD kernels.");
        w.Line("private float* residual;      // x: the residual stream [EmbeddingLength]");
        w.Line("private float* normed;        // xb: normalized input, then attention output [EmbeddingLength]");
        w.Line("private float* projected;     // xb2: output of attn_output / ffn_down [EmbeddingLength]");
        w.Line("private float* query;         // q [EmbeddingLength]");
        w.Line("private float* hidden;        // hb: gate, then SiLU(gate) * up [FeedForwardLength]");
        w.Line("private float* hiddenUp;      // hb2: up [FeedForwardLength]");
        w.Line("private float* scores;        // att: attention scores [HeadCount][ContextLength]");
        if (quantized) w.Line("private byte* quantizedActivation; // the current activation as Q8_0 blocks");
        w.Line("private readonly " + GeneratedFile.Inference + "WorkerPool? pool; // splits the large products by rows; null = this thread");
        w.Line();
        w.Line("/// <summary>Products with fewer weights than this run on the calling thread: waking workers would cost more than it saves.</summary>");
        w.Line("public const int ParallelProductSize = 32768;");
        w.Line();

        // Construction and loading.
        w.Open("private " + cls + "(" + GeneratedFile.Gguf + "GgufFile file, " + GeneratedFile.Inference + "WorkerPool? pool)");
        w.Line("BindWeights(file);");
        w.Line("this.pool = pool;");
        w.Line("// Dequantize one embedding row now, so an embedding type the runtime cannot read fails at load, not mid-generation.");
        w.Line("float* probe = stackalloc float[EmbeddingLength];");
        w.Line("global::LlamaGen.Quantization.Dequantization.Row(tokenEmbedding.Type, tokenEmbedding.Row(0), new global::System.Span<float>(probe, EmbeddingLength));");
        w.Line("kvCache = new " + GeneratedFile.Inference + "KvCache(BlockCount, ContextLength, KvDimension);");
        w.Line("residual = Allocate(EmbeddingLength);");
        w.Line("normed = Allocate(EmbeddingLength);");
        w.Line("projected = Allocate(EmbeddingLength);");
        w.Line("query = Allocate(EmbeddingLength);");
        w.Line("hidden = Allocate(FeedForwardLength);");
        w.Line("hiddenUp = Allocate(FeedForwardLength);");
        w.Line("scores = Allocate(HeadCount * ContextLength);");
        if (quantized) w.Line("quantizedActivation = (byte*)" + native + ".AlignedAlloc(QuantizedActivationBytes, 64);");
        w.Close();
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// Binds the weights of <paramref name=\"file\"/> (checked against <see cref=\"Spec\"/> and <see cref=\"Slots\"/>) and");
        w.Line("/// allocates the activations and KV cache. The model reads the file's mapping: keep the file open while the model is used;");
        w.Line("/// disposing the model does not dispose the file.");
        w.Line("/// </summary>");
        w.Line("public static " + cls + " Load(" + GeneratedFile.Gguf + "GgufFile file) => Load(file, null);");
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// Loads the model as <c>Load(file)</c> does; with a <paramref name=\"pool\"/>, every");
        w.Line("/// product of at least <see cref=\"ParallelProductSize\"/> weights is split by rows over the pool's threads. The caller");
        w.Line("/// owns the pool (it may serve several models, one call at a time) and disposes it after the model.");
        w.Line("/// </summary>");
        w.Open("public static " + cls + " Load(" + GeneratedFile.Gguf + "GgufFile file, " + GeneratedFile.Inference + "WorkerPool? pool)");
        w.Line("if (file is null) throw new global::System.ArgumentNullException(nameof(file));");
        w.Line("return new " + cls + "(file, pool);");
        w.Close();
        w.Line();
        w.Line("private static float* Allocate(int count) => (float*)" + native + ".AlignedAlloc((nuint)count * sizeof(float), 64);");
        w.Line();

        // Forward.
        w.Line("/// <inheritdoc/>");
        w.Open("public void Forward(int token, int position, global::System.Span<float> logits)");
        w.Line("ThrowIfDisposed();");
        w.Line("CheckToken(token);");
        w.Line("if ((uint)position >= ContextLength)");
        w.Line("    throw new global::System.ArgumentOutOfRangeException(nameof(position), position, $\"Position must be in [0, {ContextLength}).\");");
        w.Line("CheckLogits(logits);");
        w.Line("RunBlocks(token, position);");
        w.Line("fixed (float* output = logits) Classify(output);");
        w.Close();
        w.Line();
        w.Line("/// <inheritdoc/>");
        w.Open("public void ForwardPrompt(global::System.ReadOnlySpan<int> tokens, int startPosition, global::System.Span<float> logits)");
        w.Line("ThrowIfDisposed();");
        w.Line("if (tokens.IsEmpty) throw new global::System.ArgumentException(\"The prompt chunk is empty.\", nameof(tokens));");
        w.Line("if (startPosition < 0 || startPosition > ContextLength - tokens.Length)");
        w.Line("    throw new global::System.ArgumentOutOfRangeException(nameof(startPosition), startPosition,");
        w.Line("        $\"{tokens.Length} tokens from position {startPosition} do not fit the context of {ContextLength}.\");");
        w.Line("foreach (int token in tokens) CheckToken(token);");
        w.Line("CheckLogits(logits);");
        w.Line("// One token at a time for now (batched prompt products come later); only the last token needs logits.");
        w.Line("for (int i = 0; i < tokens.Length; i++) RunBlocks(tokens[i], startPosition + i);");
        w.Line("fixed (float* output = logits) Classify(output);");
        w.Close();
        w.Line();

        w.Line("// The forward pass, step for step as in llama2.c's run.c forward() and the Llama 2 paper:");
        w.Line("// (W v is a matrix-vector product, * is elementwise)");
        w.Line("//   x = token_embd[token]");
        w.Line("//   for each block:  xb = RMSNorm(x);  q, k, v = RoPE(Wq xb), RoPE(Wk xb), Wv xb");
        w.Line("//                    x += Wo Attention(q, k, v)");
        w.Line("//                    xb = RMSNorm(x);  x += Wdown (SiLU(Wgate xb) * Wup xb)");
        w.Line("//   logits = Wout RMSNorm(x)");
        w.Line("// Token embedding, then every transformer block; leaves the final hidden state in residual.");
        w.Open("private void RunBlocks(int token, int position)");
        w.Line("// The embedding table may be quantized: dequantize only this token's row.");
        w.Line("global::LlamaGen.Quantization.Dequantization.Row(tokenEmbedding.Type, tokenEmbedding.Row(token), new global::System.Span<float>(residual, EmbeddingLength));");
        w.Open("for (int layer = 0; layer < BlockCount; layer++)");
        w.Line("Attention(layer, position);");
        w.Line("FeedForward(layer);");
        w.Close();
        w.Close();
        w.Line();

        EmitAttention(w, plan, xq8);
        EmitFeedForward(w, plan);
        EmitClassify(w, plan);
        EmitRotate(w);
        EmitProducts(w, plan);
        EmitChecksAndDispose(w, target, native, quantized);

        w.Close();
        return GeneratedFile.Close(w, target);
    }

    private static void EmitAttention(SourceWriter w, ModelPlan plan, string xq8)
    {
        MatrixRole wq = Role(plan, "attn_q"), wk = Role(plan, "attn_k"), wv = Role(plan, "attn_v"), wo = Role(plan, "attn_output");
        w.Line("// One block's attention sublayer (run.c: from the attention rmsnorm to the residual connection).");
        w.Open("private void Attention(int layer, int position)");
        w.Line("// Pre-attention RMSNorm.");
        w.Line(Ops + ".RmsNorm(normed, residual, (float*)attentionNorm[layer].Pointer, EmbeddingLength, RmsEpsilon);");
        w.Line();
        w.Line("// q, k, v. Key and value go straight into the cache row for this position.");
        w.Line("float* key = kvCache.Keys(layer, position);");
        w.Line("float* value = kvCache.Values(layer, position);");
        QuantizeIfNeeded(w, plan, "normed", "EmbeddingLength", wq.Columns, "attentionQuery[layer]", "attentionKey[layer]", "attentionValue[layer]");
        w.Line($"{ProductName(wq)}(attentionQuery[layer], normed, query);");
        w.Line($"{ProductName(wk)}(attentionKey[layer], normed, key);");
        w.Line($"{ProductName(wv)}(attentionValue[layer], normed, value);");
        w.Line();
        w.Line("// RoPE: rotate each adjacent pair (2i, 2i+1) of every query and key head by position * base^(-2i/HeadDimension).");
        w.Line("float* cos = Rope.Cos(position);");
        w.Line("float* sin = Rope.Sin(position);");
        w.Line("Rotate(query, HeadCount, cos, sin);");
        w.Line("Rotate(key, HeadCountKv, cos, sin);");
        w.Line();
        w.Line("// Multi-head attention with grouped-query heads (run.c's kv_mul is GroupSize): query head h uses KV head");
        w.Line("// h / GroupSize. The GroupSize query heads of one KV head are scored together, so each cached key and value");
        w.Line("// row is read once per group. score[t] = dot(q, k[t]) / sqrt(HeadDimension), softmax over t <= position, then the");
        w.Line("// score-weighted sum of v[t]. The output overwrites normed.");
        w.Line("float* keys = kvCache.Keys(layer, 0);");
        w.Line("float* values = kvCache.Values(layer, 0);");
        w.Line("int length = position + 1;");
        w.Open("for (int kvHead = 0; kvHead < HeadCountKv; kvHead++)");
        w.Line("float* groupQuery = query + kvHead * GroupSize * HeadDimension;");
        w.Line("float* groupScores = scores + kvHead * GroupSize * ContextLength;");
        w.Open("for (int t = 0; t < length; t++)");
        w.Line("float* cachedKey = keys + (nint)t * KvDimension + kvHead * HeadDimension;");
        w.Open("for (int g = 0; g < GroupSize; g++)");
        w.Line("groupScores[g * ContextLength + t] = " + Ops + ".Dot(groupQuery + g * HeadDimension, cachedKey, HeadDimension) / AttentionScoreDivisor;");
        w.Close();
        w.Close();
        w.Line("for (int g = 0; g < GroupSize; g++) " + Ops + ".Softmax(groupScores + g * ContextLength, length);");
        w.Line();
        w.Line("// Weighted sum of the cached values.");
        w.Line("float* groupOutput = normed + kvHead * GroupSize * HeadDimension;");
        w.Line(Ops + ".Clear(groupOutput, GroupSize * HeadDimension);");
        w.Open("for (int t = 0; t < length; t++)");
        w.Line("float* cachedValue = values + (nint)t * KvDimension + kvHead * HeadDimension;");
        w.Open("for (int g = 0; g < GroupSize; g++)");
        w.Line(Ops + ".MultiplyAdd(groupOutput + g * HeadDimension, cachedValue, groupScores[g * ContextLength + t], HeadDimension);");
        w.Close();
        w.Close();
        w.Close();
        w.Line();
        w.Line("// Output projection and residual connection.");
        QuantizeIfNeeded(w, plan, "normed", "EmbeddingLength", wo.Columns, "attentionOutput[layer]");
        w.Line($"{ProductName(wo)}(attentionOutput[layer], normed, projected);");
        w.Line(Ops + ".Add(residual, projected, EmbeddingLength);");
        w.Close();
        w.Line();
    }

    private static void EmitFeedForward(SourceWriter w, ModelPlan plan)
    {
        MatrixRole gate = Role(plan, "ffn_gate"), up = Role(plan, "ffn_up"), down = Role(plan, "ffn_down");
        w.Line("// One block's feed-forward sublayer (run.c: from the ffn rmsnorm to the residual connection).");
        w.Open("private void FeedForward(int layer)");
        w.Line("// Pre-FFN RMSNorm.");
        w.Line(Ops + ".RmsNorm(normed, residual, (float*)feedForwardNorm[layer].Pointer, EmbeddingLength, RmsEpsilon);");
        w.Line();
        w.Line("// SwiGLU: down(SiLU(gate(x)) * up(x)).");
        QuantizeIfNeeded(w, plan, "normed", "EmbeddingLength", gate.Columns, "feedForwardGate[layer]", "feedForwardUp[layer]");
        w.Line($"{ProductName(gate)}(feedForwardGate[layer], normed, hidden);");
        w.Line($"{ProductName(up)}(feedForwardUp[layer], normed, hiddenUp);");
        w.Line(Ops + ".SiluMultiply(hidden, hiddenUp, FeedForwardLength);");
        QuantizeIfNeeded(w, plan, "hidden", "FeedForwardLength", down.Columns, "feedForwardDown[layer]");
        w.Line($"{ProductName(down)}(feedForwardDown[layer], hidden, projected);");
        w.Line();
        w.Line("// Residual connection.");
        w.Line(Ops + ".Add(residual, projected, EmbeddingLength);");
        w.Close();
        w.Line();
    }

    private static void EmitClassify(SourceWriter w, ModelPlan plan)
    {
        w.Line("// Final RMSNorm and the classifier into logits[VocabSize].");
        w.Open("private void Classify(float* logits)");
        w.Line(Ops + ".RmsNorm(normed, residual, (float*)outputNorm.Pointer, EmbeddingLength, RmsEpsilon);");
        QuantizeIfNeeded(w, plan, "normed", "EmbeddingLength", plan.Classifier.Columns, "output");
        w.Line($"{ProductName(plan.Classifier)}(output, normed, logits);");
        w.Close();
        w.Line();
    }

    private static void EmitRotate(SourceWriter w)
    {
        w.Line("// Rotates the adjacent pairs of headCount heads by the angles of one position (llama2.c and llama.cpp's normal RoPE).");
        w.Open("private static void Rotate(float* heads, int headCount, float* cos, float* sin)");
        w.Open("for (int head = 0; head < headCount; head++)");
        w.Line("float* vector = heads + head * HeadDimension;");
        w.Open("for (int i = 0; i < HeadDimension / 2; i++)");
        w.Line("float v0 = vector[2 * i];");
        w.Line("float v1 = vector[2 * i + 1];");
        w.Line("vector[2 * i] = v0 * cos[i] - v1 * sin[i];");
        w.Line("vector[2 * i + 1] = v0 * sin[i] + v1 * cos[i];");
        w.Close();
        w.Close();
        w.Close();
        w.Line();
    }

    /// <summary>
    /// One method per matrix shape: the weight's runtime type picks the kernel. Only types that have a kernel for the
    /// shape appear; <c>BindWeights</c> refused any other type at load.
    /// </summary>
    private static void EmitProducts(SourceWriter w, ModelPlan plan)
    {
        var done = new HashSet<(int, int)>();
        foreach (MatrixRole role in plan.AllMatrices())
        {
            if (!done.Add((role.Rows, role.Columns))) continue;
            string rows = role.Rows.ToString(CultureInfo.InvariantCulture);
            w.Line($"// y[{rows}] = W[{rows} x {role.Columns.ToString(CultureInfo.InvariantCulture)}] x; quantized types read the Q8_0 activation.");
            w.Open("private void " + ProductName(role) + "(in " + GeneratedFile.Inference + "WeightTensor weight, float* x, float* y)");
            w.Open("switch (weight.Type)");
            foreach (string type in plan.TypesFor(role.Columns))
            {
                var kernel = new MatVecKernel(role.Rows, role.Columns, type);
                w.Line($"case {GeneratedFile.Quantization}GgmlType.{WeightTypes.EnumMember(type)}:");
                w.Line($"    Multiply(&Kernels.{kernel.Name}, weight.Pointer, x, y, {rows}, {role.Columns.ToString(CultureInfo.InvariantCulture)});");
                w.Line("    return;");
            }
            w.Line("default:");
            w.Line("    throw new global::System.InvalidOperationException($\"No kernel for {weight.Type} weights of this shape; BindWeights should have refused them.\");");
            w.Close();
            w.Close();
            w.Line();
        }
    }

    private static void EmitChecksAndDispose(SourceWriter w, ModelTarget target, string native, bool quantized)
    {
        // The kernels take the rows to compute, so a product splits by rows (aligned to the kernels' 4-row passes, which
        // keeps every row's arithmetic, and so the logits, identical to a single-thread run).
        w.Line("private void Multiply(delegate*<byte*, float*, byte*, float*, int, int, void> kernel, byte* weights, float* x, float* y, int rows, int columns)");
        w.Line("{");
        w.Line("    byte* xq8 = " + (quantized ? "quantizedActivation" : "null") + ";");
        w.Line("    if (pool is null || (long)rows * columns < ParallelProductSize) kernel(weights, x, xq8, y, 0, rows);");
        w.Line("    else pool.Run(new " + GeneratedFile.Inference + "MatVecRows(kernel, weights, x, xq8, y), rows, rowAlignment: 4);");
        w.Line("}");
        w.Line();
        if (quantized)
        {
            w.Line("// Quantized weights are multiplied against the activation quantized to Q8_0 (integer dot products).");
            w.Line("private static bool ReadsQuantizedActivation(" + GeneratedFile.Quantization + "GgmlType type) =>");
            w.Line("    type is " + GeneratedFile.Quantization + "GgmlType.Q8_0 or " + GeneratedFile.Quantization + "GgmlType.Q4_0;");
            w.Line();
        }
        w.Open("private static void CheckToken(int token)");
        w.Line("if ((uint)token >= VocabSize)");
        w.Line("    throw new global::System.ArgumentOutOfRangeException(nameof(token), token, $\"Token ids must be in [0, {VocabSize}).\");");
        w.Close();
        w.Line();
        w.Open("private static void CheckLogits(global::System.Span<float> logits)");
        w.Line("if (logits.Length < VocabSize)");
        w.Line("    throw new global::System.ArgumentException($\"logits has {logits.Length} elements; the model writes {VocabSize}.\", nameof(logits));");
        w.Close();
        w.Line();
        w.Open("private void ThrowIfDisposed()");
        w.Line("if (residual == null) throw new global::System.ObjectDisposedException(" + GeneratedFile.Literal(target.ClassName) + ");");
        w.Close();
        w.Line();
        w.Line("/// <summary>Frees the activations and the KV cache. The GGUF file stays open; its owner disposes it.</summary>");
        w.Open("public void Dispose()");
        w.Line("FreeBuffers();");
        w.Line("kvCache.Dispose();");
        w.Line("global::System.GC.SuppressFinalize(this);");
        w.Close();
        w.Line();
        w.Line("~" + target.ClassName + "() => FreeBuffers();");
        w.Line();
        w.Open("private void FreeBuffers()");
        foreach (string buffer in new[] { "residual", "normed", "projected", "query", "hidden", "hiddenUp", "scores" })
        {
            w.Line(native + ".AlignedFree(" + buffer + ");");
            w.Line(buffer + " = null;");
        }
        if (quantized)
        {
            w.Line(native + ".AlignedFree(quantizedActivation);");
            w.Line("quantizedActivation = null;");
        }
        w.Close();
    }

    /// <summary>
    /// Quantizes <paramref name="x"/> to Q8_0 once for all the products that read it, when any of their weights is
    /// quantized at run time. Emits nothing when no quantized kernel exists for rows of <paramref name="columns"/>.
    /// </summary>
    private static void QuantizeIfNeeded(SourceWriter w, ModelPlan plan, string x, string count, int columns, params string[] weights)
    {
        if (!plan.NeedsQuantizedActivation(columns)) return;
        var condition = new System.Text.StringBuilder();
        foreach (string weight in weights)
        {
            if (condition.Length > 0) condition.Append(" || ");
            condition.Append("ReadsQuantizedActivation(").Append(weight).Append(".Type)");
        }
        w.Line("if (" + condition + ")");
        w.Line("    global::LlamaGen.Quantization.ActivationQuantizer.QuantizeQ8_0(" + x + ", quantizedActivation, " + count + ");");
    }

    private static MatrixRole Role(ModelPlan plan, string tensor)
    {
        foreach (MatrixRole role in plan.Matrices)
        {
            if (role.TensorName == tensor) return role;
        }
        throw new System.InvalidOperationException("No matrix role " + tensor);
    }

    private static string ProductName(MatrixRole role) =>
        "MatVec" + role.Rows.ToString(CultureInfo.InvariantCulture) + "x" + role.Columns.ToString(CultureInfo.InvariantCulture);
}
