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
    private const string Ops = "global::LlamaGen.Compute.TensorOps";
    private const string Options = "global::LlamaGen.Models.ModelLoadOptions";
    private const string Attend = "global::LlamaGen.Compute.Attention.Attend";
    private const string Quantize = "global::LlamaGen.Quantization.ActivationQuantizer.QuantizeKernelInput";
    private const string QuantizeK = "global::LlamaGen.Quantization.ActivationQuantizer.QuantizeKernelInputQ8_K";

    /// <summary>
    /// Tokens per prompt chunk. 64 rows of the widest activation (11008 floats for Llama 2 7B) are 2.8 MB: the chunk's
    /// activations stay in L2/L3 while each weight block is applied to all of them, and the batched kernels' token
    /// tiles divide it evenly.
    /// </summary>
    private const int PromptChunk = 64;

    public static string Emit(ModelTarget target, ModelPlan plan)
    {
        ModelSpec spec = plan.Spec;
        string cls = target.ClassName;
        string native = "global::System.Runtime.InteropServices.NativeMemory";
        bool quantized = plan.Q8_0ActivationBytes > 0;
        bool kQuantized = plan.Q8_KActivationBytes > 0;

        SourceWriter w = GeneratedFile.Open(target, target.SpecPath);
        w.Open(GeneratedFile.ClassHeader(target));

        // Attention scores are divided by sqrt(head dimension) exactly as run.c does (a division, not a
        // multiplication by the reciprocal), so the reference and this code round the same way.
        w.Line("// sqrt(HeadDimension). Scores are divided by it as run.c does (not multiplied by the reciprocal), so both round alike.");
        w.Line("private const float AttentionScoreDivisor = " + GeneratedFile.FloatLiteral((float)System.Math.Sqrt(spec.HeadDimension)) + ";");
        if (quantized)
            w.Line("private const int QuantizedActivationBytes = " + plan.Q8_0ActivationBytes.ToString(CultureInfo.InvariantCulture) +
                   "; // Q8_0 blocks: 40 bytes per 32 values, for the widest product with 32-element blocks");
        if (kQuantized)
            w.Line("private const int Q8KActivationBytes = " + plan.Q8_KActivationBytes.ToString(CultureInfo.InvariantCulture) +
                   "; // Q8_K super-blocks, for the widest K-quant product");
        w.Line();
        w.Line("private static " + GeneratedFile.Compute + "RopeTable? ropeTable;");
        w.Line();
        w.Line("// cos/sin for every position up to ContextLength, computed once per model class on first use.");
        w.Line("private static " + GeneratedFile.Compute + "RopeTable Rope =>");
        w.Line("    global::System.Threading.LazyInitializer.EnsureInitialized(ref ropeTable, static () => new " +
               GeneratedFile.Compute + "RopeTable(ContextLength, HeadDimension, RopeFreqBase))!;");
        w.Line();
        w.Line("private readonly " + GeneratedFile.Compute + "KvCache kvCache;");
        w.Line("// Activations, allocated once per instance (never per token) and 64-byte aligned for the SIMD kernels.");
        w.Line("private float* residual;      // x: the residual stream [EmbeddingLength]");
        w.Line("private float* normed;        // xb: normalized input, then attention output [EmbeddingLength]");
        w.Line("private float* projected;     // xb2: output of attn_output / ffn_down [EmbeddingLength]");
        w.Line("private float* query;         // q [EmbeddingLength]");
        w.Line("private float* key;           // k [KvDimension], stored into the cache after RoPE");
        w.Line("private float* value;         // v [KvDimension]");
        w.Line("private float* hidden;        // hb: gate, then SiLU(gate) * up [FeedForwardLength]");
        w.Line("private float* hiddenUp;      // hb2: up [FeedForwardLength]");
        w.Line("private float* scores;        // att: attention scores [HeadCount][ContextLength]");
        if (quantized) w.Line("private byte* quantizedActivation; // the current activation as Q8_0 blocks");
        if (kQuantized) w.Line("private byte* q8KActivation;       // the current activation as Q8_K super-blocks");
        w.Line("// The same for a prompt chunk of up to PromptChunk tokens, row-major (one row per token); allocated on the first ForwardPrompt.");
        w.Line("private float* chunkResidual;  // [PromptChunk][EmbeddingLength]");
        w.Line("private float* chunkNormed;    // [PromptChunk][EmbeddingLength]");
        w.Line("private float* chunkProjected; // [PromptChunk][EmbeddingLength]");
        w.Line("private float* chunkQuery;     // [PromptChunk][EmbeddingLength]");
        w.Line("private float* chunkKey;       // [PromptChunk][KvDimension]");
        w.Line("private float* chunkValue;     // [PromptChunk][KvDimension]");
        w.Line("private float* chunkHidden;    // [PromptChunk][FeedForwardLength]");
        w.Line("private float* chunkHiddenUp;  // [PromptChunk][FeedForwardLength]");
        if (quantized) w.Line("private byte* chunkQuantized;  // [PromptChunk][QuantizedActivationBytes], each row quantized alone as in Forward");
        if (kQuantized) w.Line("private byte* chunkQ8K;        // [PromptChunk][Q8KActivationBytes], likewise");
        w.Line("private readonly " + GeneratedFile.Threading + "WorkerPool? pool; // splits the large products by rows; null = this thread");
        w.Line("private readonly " + GeneratedFile.Kernels + "KernelIsa isa;");
        w.Line();
        w.Line("/// <summary>Products with fewer multiply-adds than this run on the calling thread: waking workers would cost more than it saves.</summary>");
        w.Line("public const int ParallelProductSize = 32768;");
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// Tokens <see cref=\"ForwardPrompt\"/> pushes through the layers together: every weight matrix is read once per chunk and");
        w.Line("/// applied to all its tokens. Longer prompts run in several chunks.");
        w.Line("/// </summary>");
        w.Line("public const int PromptChunk = " + PromptChunk.ToString(CultureInfo.InvariantCulture) + ";");
        w.Line();

        // Construction and loading.
        w.Open("private " + cls + "(" + GeneratedFile.Gguf + "GgufFile file, " + Options + " options)");
        w.Line("isa = options.Isa ?? " + GeneratedFile.Kernels + "KernelSupport.Best;");
        w.Line(GeneratedFile.Kernels + "KernelSupport.ThrowIfUnsupported(isa);");
        w.Line("BindWeights(file, isa);");
        w.Line("pool = options.Pool;");
        w.Line("// Dequantize one embedding row now, so an embedding type the runtime cannot read fails at load, not mid-generation.");
        w.Line("float* probe = stackalloc float[EmbeddingLength];");
        w.Line("global::LlamaGen.Quantization.Dequantization.Row(tokenEmbedding.Type, tokenEmbedding.Row(0), new global::System.Span<float>(probe, EmbeddingLength));");
        w.Line("kvCache = new " + GeneratedFile.Compute + "KvCache(BlockCount, ContextLength, KvDimension, options.KvCacheType);");
        w.Line("residual = Allocate(EmbeddingLength);");
        w.Line("normed = Allocate(EmbeddingLength);");
        w.Line("projected = Allocate(EmbeddingLength);");
        w.Line("query = Allocate(EmbeddingLength);");
        w.Line("key = Allocate(KvDimension);");
        w.Line("value = Allocate(KvDimension);");
        w.Line("hidden = Allocate(FeedForwardLength);");
        w.Line("hiddenUp = Allocate(FeedForwardLength);");
        w.Line("scores = Allocate(HeadCount * ContextLength);");
        if (quantized) w.Line("quantizedActivation = (byte*)" + native + ".AlignedAlloc(QuantizedActivationBytes, 64);");
        if (kQuantized) w.Line("q8KActivation = (byte*)" + native + ".AlignedAlloc(Q8KActivationBytes, 64);");
        w.Close();
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// Binds the weights of <paramref name=\"file\"/> (checked against <see cref=\"Spec\"/> and <see cref=\"Slots\"/>) and");
        w.Line("/// allocates the activations and KV cache. The model reads the file's mapping: keep the file open while the model is used;");
        w.Line("/// disposing the model does not dispose the file.");
        w.Line("/// </summary>");
        w.Line("public static " + cls + " Load(" + GeneratedFile.Gguf + "GgufFile file) => Load(file, " + Options + ".Default);");
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// Loads the model as <c>Load(file)</c> does; with a <paramref name=\"pool\"/>, every");
        w.Line("/// product of at least <see cref=\"ParallelProductSize\"/> multiply-adds is split by rows over the pool's threads. The caller");
        w.Line("/// owns the pool (it may serve several models, one call at a time) and disposes it after the model.");
        w.Line("/// </summary>");
        w.Line("public static " + cls + " Load(" + GeneratedFile.Gguf + "GgufFile file, " + GeneratedFile.Threading + "WorkerPool? pool) =>");
        w.Line("    Load(file, pool is null ? " + Options + ".Default : new " + Options + " { Pool = pool });");
        w.Line();
        w.Line("/// <summary>Loads the model as <c>Load(file)</c> does, with the worker pool, KV cache type and kernel ISA of <paramref name=\"options\"/>.</summary>");
        w.Open("public static " + cls + " Load(" + GeneratedFile.Gguf + "GgufFile file, " + Options + " options)");
        w.Line("if (file is null) throw new global::System.ArgumentNullException(nameof(file));");
        w.Line("if (options is null) throw new global::System.ArgumentNullException(nameof(options));");
        w.Line("return new " + cls + "(file, options);");
        w.Close();
        w.Line();
        w.Line("/// <inheritdoc/>");
        w.Line("public " + GeneratedFile.Kernels + "KernelIsa Isa => isa;");
        w.Line();
        w.Line("/// <summary>The KV cache this model writes (its type, size, and rows for inspection).</summary>");
        w.Line("public " + GeneratedFile.Compute + "KvCache KvCache => kvCache;");
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
        w.Line("if (chunkResidual == null) AllocatePromptBuffers();");
        w.Line("// The prompt goes through the layers PromptChunk tokens at a time; only the last token needs logits.");
        w.Line("int last = 0;");
        w.Open("for (int done = 0; done < tokens.Length; done += PromptChunk)");
        w.Line("int count = global::System.Math.Min(PromptChunk, tokens.Length - done);");
        w.Line("RunChunk(tokens.Slice(done, count), startPosition + done);");
        w.Line("last = count - 1;");
        w.Close();
        w.Line(Ops + ".Copy(residual, chunkResidual + last * EmbeddingLength, EmbeddingLength);");
        w.Line("fixed (float* output = logits) Classify(output);");
        w.Close();
        w.Line();
        w.Open("private void AllocatePromptBuffers()");
        w.Line("chunkResidual = Allocate(PromptChunk * EmbeddingLength);");
        w.Line("chunkNormed = Allocate(PromptChunk * EmbeddingLength);");
        w.Line("chunkProjected = Allocate(PromptChunk * EmbeddingLength);");
        w.Line("chunkQuery = Allocate(PromptChunk * EmbeddingLength);");
        w.Line("chunkKey = Allocate(PromptChunk * KvDimension);");
        w.Line("chunkValue = Allocate(PromptChunk * KvDimension);");
        w.Line("chunkHidden = Allocate(PromptChunk * FeedForwardLength);");
        w.Line("chunkHiddenUp = Allocate(PromptChunk * FeedForwardLength);");
        if (quantized) w.Line("chunkQuantized = (byte*)" + native + ".AlignedAlloc(PromptChunk * QuantizedActivationBytes, 64);");
        if (kQuantized) w.Line("chunkQ8K = (byte*)" + native + ".AlignedAlloc(PromptChunk * Q8KActivationBytes, 64);");
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

        w.Line("// The same for a prompt chunk: tokens[i] at position start + i; leaves the final hidden states in chunkResidual.");
        w.Open("private void RunChunk(global::System.ReadOnlySpan<int> tokens, int start)");
        w.Open("for (int i = 0; i < tokens.Length; i++)");
        w.Line("global::LlamaGen.Quantization.Dequantization.Row(tokenEmbedding.Type, tokenEmbedding.Row(tokens[i]),");
        w.Line("    new global::System.Span<float>(chunkResidual + i * EmbeddingLength, EmbeddingLength));");
        w.Close();
        w.Open("for (int layer = 0; layer < BlockCount; layer++)");
        w.Line("ChunkAttention(layer, start, tokens.Length);");
        w.Line("ChunkFeedForward(layer, tokens.Length);");
        w.Close();
        w.Close();
        w.Line();

        EmitAttention(w, plan);
        EmitFeedForward(w, plan);
        EmitChunkAttention(w, plan);
        EmitChunkFeedForward(w, plan);
        EmitClassify(w, plan);
        EmitChecksAndDispose(w, target, native, quantized, kQuantized);

        w.Close();
        return GeneratedFile.Close(w, target);
    }

    private static void EmitAttention(SourceWriter w, ModelPlan plan)
    {
        MatrixRole wq = plan.Role("attn_q"), wk = plan.Role("attn_k"), wv = plan.Role("attn_v"), wo = plan.Role("attn_output");
        w.Line("// One block's attention sublayer (run.c: from the attention rmsnorm to the residual connection).");
        w.Open("private void Attention(int layer, int position)");
        w.Line("// Pre-attention RMSNorm.");
        w.Line(Ops + ".RmsNorm(normed, residual, (float*)attentionNorm[layer].Pointer, EmbeddingLength, RmsEpsilon);");
        w.Line();
        w.Line("// q, k, v.");
        QuantizeIfNeeded(w, plan, "normed", "EmbeddingLength", wq.Columns, "attentionQuery[layer]", "attentionKey[layer]", "attentionValue[layer]");
        w.Line($"Multiply(attentionQuery[layer], normed, query);");
        w.Line($"Multiply(attentionKey[layer], normed, key);");
        w.Line($"Multiply(attentionValue[layer], normed, value);");
        w.Line();
        w.Line("// RoPE: rotate each adjacent pair (2i, 2i+1) of every query and key head by position * base^(-2i/HeadDimension);");
        w.Line("// then the key and value go into the cache row for this position.");
        w.Line("Rope.Rotate(query, HeadCount, position);");
        w.Line("Rope.Rotate(key, HeadCountKv, position);");
        w.Line("kvCache.Store(layer, position, key, value);");
        w.Line();
        EmitAttendComment(w);
        w.Line(Attend + "(kvCache, layer, position, query, normed, scores, ContextLength, HeadCount, HeadDimension, AttentionScoreDivisor);");
        w.Line();
        w.Line("// Output projection and residual connection.");
        QuantizeIfNeeded(w, plan, "normed", "EmbeddingLength", wo.Columns, "attentionOutput[layer]");
        w.Line($"Multiply(attentionOutput[layer], normed, projected);");
        w.Line(Ops + ".Add(residual, projected, EmbeddingLength);");
        w.Close();
        w.Line();
    }

    private static void EmitAttendComment(SourceWriter w)
    {
        w.Line("// Multi-head attention with grouped-query heads (run.c's kv_mul is GroupSize): query head h uses KV head");
        w.Line("// h / GroupSize. score[t] = dot(q, k[t]) / sqrt(HeadDimension), softmax over t <= position, then the score-weighted");
        w.Line("// sum of v[t]; each cached row is read once for all heads. The output overwrites normed.");
    }

    private static void EmitFeedForward(SourceWriter w, ModelPlan plan)
    {
        MatrixRole gate = plan.Role("ffn_gate"), up = plan.Role("ffn_up"), down = plan.Role("ffn_down");
        w.Line("// One block's feed-forward sublayer (run.c: from the ffn rmsnorm to the residual connection).");
        w.Open("private void FeedForward(int layer)");
        w.Line("// Pre-FFN RMSNorm.");
        w.Line(Ops + ".RmsNorm(normed, residual, (float*)feedForwardNorm[layer].Pointer, EmbeddingLength, RmsEpsilon);");
        w.Line();
        w.Line("// SwiGLU: down(SiLU(gate(x)) * up(x)).");
        QuantizeIfNeeded(w, plan, "normed", "EmbeddingLength", gate.Columns, "feedForwardGate[layer]", "feedForwardUp[layer]");
        w.Line($"Multiply(feedForwardGate[layer], normed, hidden);");
        w.Line($"Multiply(feedForwardUp[layer], normed, hiddenUp);");
        w.Line(Ops + ".SiluMultiply(hidden, hiddenUp, FeedForwardLength);");
        QuantizeIfNeeded(w, plan, "hidden", "FeedForwardLength", down.Columns, "feedForwardDown[layer]");
        w.Line($"Multiply(feedForwardDown[layer], hidden, projected);");
        w.Line();
        w.Line("// Residual connection.");
        w.Line(Ops + ".Add(residual, projected, EmbeddingLength);");
        w.Close();
        w.Line();
    }

    private static void EmitChunkAttention(SourceWriter w, ModelPlan plan)
    {
        MatrixRole wq = plan.Role("attn_q"), wk = plan.Role("attn_k"), wv = plan.Role("attn_v"), wo = plan.Role("attn_output");
        w.Line("// Attention() for the tokens of a prompt chunk at positions start.. : the same steps, each product batched over the chunk.");
        w.Open("private void ChunkAttention(int layer, int start, int tokens)");
        w.Line("for (int i = 0; i < tokens; i++)");
        w.Line("    " + Ops + ".RmsNorm(chunkNormed + i * EmbeddingLength, chunkResidual + i * EmbeddingLength, (float*)attentionNorm[layer].Pointer, EmbeddingLength, RmsEpsilon);");
        w.Line();
        QuantizeChunkIfNeeded(w, plan, "chunkNormed", "EmbeddingLength", wq.Columns, "attentionQuery[layer]", "attentionKey[layer]", "attentionValue[layer]");
        w.Line($"MultiplyBatch(attentionQuery[layer], chunkNormed, chunkQuery, tokens);");
        w.Line($"MultiplyBatch(attentionKey[layer], chunkNormed, chunkKey, tokens);");
        w.Line($"MultiplyBatch(attentionValue[layer], chunkNormed, chunkValue, tokens);");
        w.Line();
        w.Line("// RoPE at each token's position; every key and value of the chunk is cached before any token attends, and");
        w.Line("// token i reads only positions <= start + i, so attention stays causal.");
        w.Open("for (int i = 0; i < tokens; i++)");
        w.Line("Rope.Rotate(chunkQuery + i * EmbeddingLength, HeadCount, start + i);");
        w.Line("Rope.Rotate(chunkKey + i * KvDimension, HeadCountKv, start + i);");
        w.Line("kvCache.Store(layer, start + i, chunkKey + i * KvDimension, chunkValue + i * KvDimension);");
        w.Close();
        w.Line("for (int i = 0; i < tokens; i++)");
        w.Line("    " + Attend + "(kvCache, layer, start + i, chunkQuery + i * EmbeddingLength, chunkNormed + i * EmbeddingLength, scores, ContextLength,");
        w.Line("        HeadCount, HeadDimension, AttentionScoreDivisor);");
        w.Line();
        QuantizeChunkIfNeeded(w, plan, "chunkNormed", "EmbeddingLength", wo.Columns, "attentionOutput[layer]");
        w.Line($"MultiplyBatch(attentionOutput[layer], chunkNormed, chunkProjected, tokens);");
        w.Line(Ops + ".Add(chunkResidual, chunkProjected, tokens * EmbeddingLength);");
        w.Close();
        w.Line();
    }

    private static void EmitChunkFeedForward(SourceWriter w, ModelPlan plan)
    {
        MatrixRole gate = plan.Role("ffn_gate"), up = plan.Role("ffn_up"), down = plan.Role("ffn_down");
        w.Line("// FeedForward() for the tokens of a prompt chunk, each product batched over the chunk.");
        w.Open("private void ChunkFeedForward(int layer, int tokens)");
        w.Line("for (int i = 0; i < tokens; i++)");
        w.Line("    " + Ops + ".RmsNorm(chunkNormed + i * EmbeddingLength, chunkResidual + i * EmbeddingLength, (float*)feedForwardNorm[layer].Pointer, EmbeddingLength, RmsEpsilon);");
        w.Line();
        QuantizeChunkIfNeeded(w, plan, "chunkNormed", "EmbeddingLength", gate.Columns, "feedForwardGate[layer]", "feedForwardUp[layer]");
        w.Line($"MultiplyBatch(feedForwardGate[layer], chunkNormed, chunkHidden, tokens);");
        w.Line($"MultiplyBatch(feedForwardUp[layer], chunkNormed, chunkHiddenUp, tokens);");
        w.Line(Ops + ".SiluMultiply(chunkHidden, chunkHiddenUp, tokens * FeedForwardLength);");
        QuantizeChunkIfNeeded(w, plan, "chunkHidden", "FeedForwardLength", down.Columns, "feedForwardDown[layer]");
        w.Line($"MultiplyBatch(feedForwardDown[layer], chunkHidden, chunkProjected, tokens);");
        w.Line(Ops + ".Add(chunkResidual, chunkProjected, tokens * EmbeddingLength);");
        w.Close();
        w.Line();
    }

    private static void EmitClassify(SourceWriter w, ModelPlan plan)
    {
        w.Line("// Final RMSNorm and the classifier into logits[VocabSize].");
        w.Open("private void Classify(float* logits)");
        w.Line(Ops + ".RmsNorm(normed, residual, (float*)outputNorm.Pointer, EmbeddingLength, RmsEpsilon);");
        QuantizeIfNeeded(w, plan, "normed", "EmbeddingLength", plan.Classifier.Columns, "output");
        w.Line("Multiply(output, normed, logits);");
        w.Close();
        w.Line();
    }

    private static void EmitChecksAndDispose(SourceWriter w, ModelTarget target, string native, bool quantized, bool kQuantized)
    {
        // The kernels take the rows to compute, so a product splits by rows (aligned to the kernels' 8-row groups, which
        // keeps every row's arithmetic, and so the logits, identical to a single-thread run).
        string kernels = GeneratedFile.Kernels;
        w.Line("// y = W x with the matrix's kernels, split by rows over the pool on the kernels' 8-row groups (so every row's");
        w.Line("// arithmetic, and the logits, are the same for any thread count). Quantized weights read the activation quantized");
        w.Line("// beforehand (the Q8_0 or Q8_K buffer their kernels expect).");
        w.Open("private void Multiply(in " + GeneratedFile.Models + "BoundMatrix matrix, float* x, float* y)");
        w.Line(kernels + "MatrixKernels kernel = matrix.Kernels;");
        w.Line("byte* xq8 = " + (quantized || kQuantized ? $"InputFor(kernel.Input, {(quantized ? "quantizedActivation" : "null")}, {(kQuantized ? "q8KActivation" : "null")})" : "null") + ";");
        w.Line("int rows = matrix.Rows;");
        w.Line("if (pool is null || (long)rows * kernel.Columns < ParallelProductSize) kernel.MatVec(matrix.Tensor.Pointer, x, xq8, y, 0, rows);");
        w.Line("else pool.Run(new " + kernels + "MatVecRows(kernel.MatVec, matrix.Tensor.Pointer, x, xq8, y), rows, rowAlignment: 8);");
        w.Close();
        w.Line();
        w.Line("// The batched products split the same way: each thread applies its weight rows to every token of the chunk.");
        w.Open("private void MultiplyBatch(in " + GeneratedFile.Models + "BoundMatrix matrix, float* x, float* y, int tokens)");
        w.Line(kernels + "MatrixKernels kernel = matrix.Kernels;");
        w.Line("byte* xq8 = " + (quantized || kQuantized ? $"InputFor(kernel.Input, {(quantized ? "chunkQuantized" : "null")}, {(kQuantized ? "chunkQ8K" : "null")})" : "null") + ";");
        w.Line("int rows = matrix.Rows;");
        w.Line("if (pool is null || (long)rows * kernel.Columns * tokens < ParallelProductSize) kernel.MultiplyBatch(matrix.Tensor.Pointer, x, xq8, y, rows, tokens, 0, rows);");
        w.Line("else pool.Run(new " + kernels + "MatMulRows(kernel, matrix.Tensor.Pointer, x, xq8, y, rows, tokens), rows, rowAlignment: 8);");
        w.Close();
        w.Line();
        if (quantized || kQuantized)
        {
            w.Line("private static byte* InputFor(" + kernels + "KernelInput input, byte* q8_0, byte* q8_K) =>");
            w.Line("    input == " + kernels + "KernelInput.Q8_0 ? q8_0 : input == " + kernels + "KernelInput.Q8_K ? q8_K : null;");
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
        w.Line("interleaved.Dispose();");
        w.Line("global::System.GC.SuppressFinalize(this);");
        w.Close();
        w.Line();
        w.Line("~" + target.ClassName + "() => FreeBuffers();");
        w.Line();
        w.Open("private void FreeBuffers()");
        foreach (string buffer in new[]
                 {
                     "residual", "normed", "projected", "query", "key", "value", "hidden", "hiddenUp", "scores",
                     "chunkResidual", "chunkNormed", "chunkProjected", "chunkQuery", "chunkKey", "chunkValue", "chunkHidden", "chunkHiddenUp",
                 })
        {
            w.Line(native + ".AlignedFree(" + buffer + ");");
            w.Line(buffer + " = null;");
        }
        if (kQuantized)
        {
            w.Line(native + ".AlignedFree(q8KActivation);");
            w.Line("q8KActivation = null;");
            w.Line(native + ".AlignedFree(chunkQ8K);");
            w.Line("chunkQ8K = null;");
        }
        if (quantized)
        {
            w.Line(native + ".AlignedFree(quantizedActivation);");
            w.Line("quantizedActivation = null;");
            w.Line(native + ".AlignedFree(chunkQuantized);");
            w.Line("chunkQuantized = null;");
        }
        w.Close();
    }

    /// <summary>
    /// Quantizes <paramref name="x"/> once for all the products that read it: to Q8_0 blocks when any of their weights
    /// has 32-element blocks, to Q8_K super-blocks when any is a K-quant (a mixed model may need both). Emits nothing for
    /// a format no kernel for rows of <paramref name="columns"/> reads.
    /// </summary>
    private static void QuantizeIfNeeded(SourceWriter w, ModelPlan plan, string x, string count, int columns, params string[] weights)
    {
        if (plan.NeedsQ8_0Activation(columns))
        {
            w.Line("if (" + AnyReads("Q8_0", weights) + ")");
            w.Line("    " + Quantize + "(" + x + ", quantizedActivation, " + count + ");");
        }
        if (plan.NeedsQ8_KActivation(columns))
        {
            w.Line("if (" + AnyReads("Q8_K", weights) + ")");
            w.Line("    " + QuantizeK + "(" + x + ", q8KActivation, " + count + ");");
        }
    }

    /// <summary>
    /// <see cref="QuantizeIfNeeded"/> for the <c>tokens</c> rows of a prompt chunk: each row is quantized on its own (its
    /// own block scales, exactly as <c>Forward</c> quantizes that token), at the stride the batched kernels read.
    /// </summary>
    private static void QuantizeChunkIfNeeded(SourceWriter w, ModelPlan plan, string x, string count, int columns, params string[] weights)
    {
        if (plan.NeedsQ8_0Activation(columns))
        {
            string stride = global::LlamaGen.Generator.Shared.RepackedLayouts.Q8_0InputBytes(columns).ToString(CultureInfo.InvariantCulture);
            w.Line("if (" + AnyReads("Q8_0", weights) + ")");
            w.Line("    for (int i = 0; i < tokens; i++) " + Quantize + "(" + x + " + i * " + count + ", chunkQuantized + i * " + stride + ", " + count + ");");
        }
        if (plan.NeedsQ8_KActivation(columns))
        {
            string stride = global::LlamaGen.Generator.Shared.RepackedLayouts.Q8_KInputBytes(columns).ToString(CultureInfo.InvariantCulture);
            w.Line("if (" + AnyReads("Q8_K", weights) + ")");
            w.Line("    for (int i = 0; i < tokens; i++) " + QuantizeK + "(" + x + " + i * " + count + ", chunkQ8K + i * " + stride + ", " + count + ");");
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
}
