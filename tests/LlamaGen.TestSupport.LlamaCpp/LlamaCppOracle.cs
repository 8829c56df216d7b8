// Shared LLamaSharp harness: llama.cpp in-process as the differential oracle. Several test areas use it:
// tokenization (Tokenize/Detokenize: the tokenizer tests' owner) and the forward pass (EvaluateLogits/Greedy:
// the model tests' owner). Extend it by adding members; keep it small and general.
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using LLama;
using LLama.Common;
using LLama.Native;

namespace LlamaGen.TestSupport.LlamaCpp;

/// <summary>
/// A GGUF file loaded by llama.cpp (LLamaSharp 0.30.0, CPU backend) with one context, for comparing its
/// tokenization, logits and greedy continuations with ours. Not thread-safe.
/// </summary>
public sealed class LlamaCppOracle : IDisposable
{
    // llama.cpp logs every model load at length; keep only errors, which explain a failing load or decode. The
    // callback must be registered before LLamaSharp loads the native library, which happens on first use.
    static LlamaCppOracle() => EnsureQuietLog();

    private static int quiet;

    /// <summary>Installs the errors-only log callback once, before or after LLamaSharp loaded its native library.</summary>
    internal static void EnsureQuietLog()
    {
        if (Interlocked.Exchange(ref quiet, 1) == 1) return;
        NativeLogConfig.LLamaLogCallback onlyErrors = (level, message) =>
        {
            if (level == LLamaLogLevel.Error)
                Console.Error.Write("llama.cpp: " + message);
        };
        try
        {
            NativeLibraryConfig.All.WithLogCallback(onlyErrors);
        }
        catch (Exception)
        {
            // Already loaded by other code in this process: switch the callback on the live library instead.
            NativeLogConfig.llama_log_set(onlyErrors);
        }
    }

    private LlamaCppOracle(LLamaWeights weights, LLamaContext context, string path)
    {
        Weights = weights;
        Context = context;
        Path = path;
    }

    public string Path { get; }
    public LLamaWeights Weights { get; }
    public LLamaContext Context { get; }
    public int VocabSize => Weights.NativeHandle.Vocab.Count;

    /// <summary>
    /// Loads <paramref name="ggufPath"/> on the CPU. The batch is as large as the context so a whole prompt decodes
    /// in one call, and the KV cache is kept in F32 (llama.cpp's default is F16, which would round every cached key
    /// and value and blur logit comparisons). Flash attention is off: its CPU path converts Q/K/V to F16.
    /// </summary>
    public static LlamaCppOracle Open(string ggufPath, uint contextSize = 512, int threads = 1)
    {
        if (!File.Exists(ggufPath)) throw new FileNotFoundException($"GGUF file for llama.cpp not found: {ggufPath}", ggufPath);
        var parameters = new ModelParams(ggufPath)
        {
            ContextSize = contextSize,
            BatchSize = contextSize,
            UBatchSize = contextSize,
            GpuLayerCount = 0,
            Threads = threads,
            BatchThreads = threads,
            TypeK = GGMLType.GGML_TYPE_F32,
            TypeV = GGMLType.GGML_TYPE_F32,
            FlashAttention = false,
        };
        var weights = LLamaWeights.LoadFromFile(parameters);
        try
        {
            return new LlamaCppOracle(weights, weights.CreateContext(parameters), ggufPath);
        }
        catch
        {
            weights.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Runs <paramref name="tokens"/> at positions 0.. as a fresh sequence in one batch and returns the logits
    /// llama.cpp computes at every position.
    /// </summary>
    public float[][] EvaluateLogits(IReadOnlyList<int> tokens)
    {
        Context.NativeHandle.MemoryClear(true);
        var batch = new LLamaBatch();
        for (int i = 0; i < tokens.Count; i++)
            batch.Add(tokens[i], i, LLamaSeqId.Zero, logits: true);
        Decode(batch);
        var logits = new float[tokens.Count][];
        for (int i = 0; i < tokens.Count; i++)
            logits[i] = Context.NativeHandle.GetLogitsIth(i).ToArray();
        return logits;
    }

    /// <summary>
    /// Runs <paramref name="tokens"/> at positions 0.. as a fresh sequence in one batch and returns the logits of the last
    /// <paramref name="count"/> positions only (a long prompt's logits at every position would not fit in memory).
    /// </summary>
    public float[][] EvaluateLastLogits(IReadOnlyList<int> tokens, int count)
    {
        if (count <= 0 || count > tokens.Count) throw new ArgumentOutOfRangeException(nameof(count), count, $"1..{tokens.Count} positions.");
        Context.NativeHandle.MemoryClear(true);
        var batch = new LLamaBatch();
        for (int i = 0; i < tokens.Count; i++)
            batch.Add(tokens[i], i, LLamaSeqId.Zero, logits: i >= tokens.Count - count);
        Decode(batch);
        var logits = new float[count][];
        for (int i = 0; i < count; i++)
            logits[i] = Context.NativeHandle.GetLogitsIth(tokens.Count - count + i).ToArray();
        return logits;
    }

    /// <summary>
    /// Greedy continuation as a fresh sequence: decodes <paramref name="prompt"/> in one batch, then feeds back
    /// the argmax (lowest id on ties, as our sampler and llama2.c do) one token at a time for
    /// <paramref name="count"/> steps. Argmax is taken here rather than by llama.cpp's sampler chain so the
    /// comparison is about the forward pass only. Returns the chosen ids and the logits each was chosen from.
    /// </summary>
    public (int[] Ids, float[][] Logits) Greedy(IReadOnlyList<int> prompt, int count)
    {
        if (prompt.Count == 0) throw new ArgumentException("Greedy decoding needs at least one prompt token (e.g. BOS).", nameof(prompt));
        Context.NativeHandle.MemoryClear(true);
        var ids = new int[count];
        var logits = new float[count][];
        var batch = new LLamaBatch();
        for (int i = 0; i < prompt.Count; i++)
            batch.Add(prompt[i], i, LLamaSeqId.Zero, logits: i == prompt.Count - 1);
        int position = prompt.Count;
        for (int step = 0; step < count; step++)
        {
            Decode(batch);
            logits[step] = Context.NativeHandle.GetLogitsIth(batch.TokenCount - 1).ToArray();
            ids[step] = ArgMax(logits[step]);
            batch.Clear();
            batch.Add(ids[step], position++, LLamaSeqId.Zero, logits: true);
        }
        return (ids, logits);
    }

    private void Decode(LLamaBatch batch)
    {
        var result = Context.Decode(batch);
        if (result != DecodeResult.Ok)
            throw new InvalidOperationException($"llama.cpp decode of {batch.TokenCount} tokens failed with {result} ({Path}).");
    }

    private static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
            if (values[i] > values[best])
                best = i;
        return best;
    }

    /// <summary>llama.cpp's <c>llama_tokenize</c>: <paramref name="addSpecial"/> adds BOS/EOS as the vocabulary asks,
    /// <paramref name="parseSpecial"/> turns control-token texts into those tokens. Text goes in as UTF-8 via
    /// <see cref="Encoding.UTF8"/> (so a lone surrogate becomes U+FFFD).</summary>
    public int[] Tokenize(string text, bool addSpecial, bool parseSpecial) =>
        Array.ConvertAll(Weights.NativeHandle.Tokenize(text, addSpecial, parseSpecial, Encoding.UTF8), t => (int)t);

    /// <summary>
    /// llama.cpp's <c>llama_detokenize</c>, called directly (LLamaSharp 0.30.0 keeps its binding internal) so the
    /// oracle's bytes are llama.cpp's own, not a re-implementation of its leading-space and special-token rules.
    /// </summary>
    public unsafe byte[] Detokenize(ReadOnlySpan<int> tokens, bool removeSpecial, bool unparseSpecial)
    {
        nint vocab = NativeDetokenizer.GetVocab(Weights.NativeHandle);
        var buffer = new byte[Math.Max(64, tokens.Length * 16)];
        fixed (int* ids = tokens)
        {
            while (true)
            {
                int n;
                fixed (byte* text = buffer)
                    n = NativeDetokenizer.Detokenize(vocab, ids, tokens.Length, text, buffer.Length, removeSpecial, unparseSpecial);
                if (n >= 0)
                    return buffer.AsSpan(0, n).ToArray();
                if (-n <= buffer.Length)
                    throw new InvalidOperationException($"llama_detokenize returned {n} for a buffer of {buffer.Length} bytes.");
                buffer = new byte[-n]; // too small: llama.cpp reports the size it needs as a negative count
            }
        }
    }

    /// <summary>llama.cpp's <c>llama_vocab_is_eog</c>: whether <paramref name="token"/> ends a generation (EOS, EOT, EOM and the end-of-turn texts it detects).</summary>
    public bool IsEndOfGeneration(int token) => NativeDetokenizer.IsEndOfGeneration(NativeDetokenizer.GetVocab(Weights.NativeHandle), token);

    /// <summary>llama.cpp's <c>llama_token_to_piece</c> with <c>lstrip = 0</c>: the bytes one token renders to.</summary>
    public byte[] TokenToPiece(int token, bool special)
    {
        var buffer = new byte[256];
        uint n = Weights.NativeHandle.TokenToSpan(token, buffer, 0, special);
        if (n > buffer.Length)
        {
            buffer = new byte[n];
            n = Weights.NativeHandle.TokenToSpan(token, buffer, 0, special);
        }
        return buffer.AsSpan(0, (int)n).ToArray();
    }

    // Entry points of the libllama that LLamaSharp loaded, found among the process's loaded modules so the very
    // same library instance (and its model structs) is called.
    private static unsafe class NativeDetokenizer
    {
        private static readonly delegate* unmanaged<nint, nint> ModelGetVocab;
        private static readonly delegate* unmanaged<nint, int*, int, byte*, int, byte, byte, int> DetokenizeFn;
        private static readonly delegate* unmanaged<nint, int, byte> VocabIsEog;

        static NativeDetokenizer()
        {
            string? path = null;
            foreach (ProcessModule module in Process.GetCurrentProcess().Modules)
            {
                if (module.ModuleName is "libllama.so" or "libllama.dylib" or "llama.dll")
                {
                    path = module.FileName;
                    break;
                }
            }
            if (path is null)
                throw new InvalidOperationException("llama.cpp's libllama is not loaded in this process; load a model through LLamaSharp first.");
            nint library = NativeLibrary.Load(path);
            ModelGetVocab = (delegate* unmanaged<nint, nint>)NativeLibrary.GetExport(library, "llama_model_get_vocab");
            DetokenizeFn = (delegate* unmanaged<nint, int*, int, byte*, int, byte, byte, int>)NativeLibrary.GetExport(library, "llama_detokenize");
            VocabIsEog = (delegate* unmanaged<nint, int, byte>)NativeLibrary.GetExport(library, "llama_vocab_is_eog");
        }

        public static nint GetVocab(SafeLlamaModelHandle model) => ModelGetVocab(model.DangerousGetHandle());

        public static bool IsEndOfGeneration(nint vocab, int token) => VocabIsEog(vocab, token) != 0;

        public static int Detokenize(nint vocab, int* tokens, int count, byte* text, int capacity, bool removeSpecial, bool unparseSpecial) =>
            DetokenizeFn(vocab, tokens, count, text, capacity, removeSpecial ? (byte)1 : (byte)0, unparseSpecial ? (byte)1 : (byte)0);
    }

    public void Dispose()
    {
        Context.Dispose();
        Weights.Dispose();
    }
}
