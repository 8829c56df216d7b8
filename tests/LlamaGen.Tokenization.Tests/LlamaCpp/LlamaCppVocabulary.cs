using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using LLama;
using LLama.Common;
using LLama.Native;

namespace LlamaGen.Tokenization.Tests.LlamaCpp;

/// <summary>
/// A GGUF file's vocabulary loaded by llama.cpp (LLamaSharp 0.30.0, CPU backend, <c>VocabOnly</c>: no tensors are read,
/// so tokenizer-only files load), with llama.cpp's tokenizer entry points called directly on raw bytes: the oracle of
/// every tokenization test here. Loading is serialized (llama.cpp's log callback is process-wide); a loaded vocabulary
/// is read-only and may be used from any thread.
/// </summary>
public sealed unsafe class LlamaCppVocabulary : IDisposable
{
    private static readonly object LogLock = new();
    // Loads are serialized so that the log captured during one belongs to it alone (tests run in parallel).
    private static readonly object LoadLock = new();
    private static StringBuilder? capturedLog;

    // The callback must be registered before LLamaSharp loads the native library. Warnings and errors of a load are
    // captured (tests compare llama.cpp's own warnings with ours); everything else is dropped.
    static LlamaCppVocabulary()
    {
        NativeLogConfig.LLamaLogCallback capture = (level, message) =>
        {
            lock (LogLock)
                capturedLog?.Append(message);
        };
        try
        {
            NativeLibraryConfig.All.WithLogCallback(capture);
        }
        catch (Exception)
        {
            NativeLogConfig.llama_log_set(capture);
        }
    }

    private readonly LLamaWeights weights;
    private readonly nint vocab;

    private LlamaCppVocabulary(LLamaWeights weights, string path, string loadLog)
    {
        this.weights = weights;
        Path = path;
        LoadLog = loadLog;
        vocab = Native.ModelGetVocab(weights.NativeHandle.DangerousGetHandle());
    }

    public string Path { get; }

    /// <summary>Everything llama.cpp logged while loading the file (warnings included).</summary>
    public string LoadLog { get; }

    public int VocabSize => Native.VocabNTokens(vocab);
    public int BosId => Native.VocabBos(vocab);
    public int EosId => Native.VocabEos(vocab);
    public bool AddBos => Native.VocabGetAddBos(vocab) != 0;
    public bool AddEos => Native.VocabGetAddEos(vocab) != 0;

    public static LlamaCppVocabulary Open(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"GGUF file for llama.cpp not found: {path}", path);
        var parameters = new ModelParams(path) { VocabOnly = true, GpuLayerCount = 0 };
        lock (LoadLock)
        {
            var log = new StringBuilder();
            lock (LogLock)
                capturedLog = log;
            LLamaWeights weights;
            try
            {
                weights = LLamaWeights.LoadFromFile(parameters);
            }
            catch (Exception e)
            {
                string text;
                lock (LogLock)
                    text = log.ToString();
                throw new InvalidOperationException($"llama.cpp could not load {path}: {e.Message}\n{text}", e);
            }
            finally
            {
                lock (LogLock)
                    capturedLog = null;
            }
            string captured;
            lock (LogLock)
                captured = log.ToString();
            return new LlamaCppVocabulary(weights, path, captured);
        }
    }

    /// <summary><c>llama_tokenize</c> on raw bytes: <paramref name="addSpecial"/> adds BOS/EOS as the vocabulary asks.</summary>
    public int[] Tokenize(ReadOnlySpan<byte> utf8, bool addSpecial, bool parseSpecial)
    {
        var tokens = new int[utf8.Length + 8];
        while (true)
        {
            int n;
            fixed (byte* text = utf8)
            fixed (int* output = tokens)
                n = Native.Tokenize(vocab, text, utf8.Length, output, tokens.Length, addSpecial ? (byte)1 : (byte)0, parseSpecial ? (byte)1 : (byte)0);
            if (n >= 0)
                return tokens.AsSpan(0, n).ToArray();
            if (n == int.MinValue || -n <= tokens.Length)
                throw new InvalidOperationException($"llama_tokenize returned {n} for room of {tokens.Length} tokens.");
            tokens = new int[-n];
        }
    }

    public int[] Tokenize(string text, bool addSpecial, bool parseSpecial) =>
        Tokenize(Encoding.UTF8.GetBytes(text), addSpecial, parseSpecial);

    /// <summary><c>llama_detokenize</c>: the bytes, before any UTF-8 decoding.</summary>
    public byte[] Detokenize(ReadOnlySpan<int> tokens, bool removeSpecial, bool unparseSpecial)
    {
        var buffer = new byte[Math.Max(64, tokens.Length * 16)];
        while (true)
        {
            int n;
            fixed (int* ids = tokens)
            fixed (byte* text = buffer)
                n = Native.Detokenize(vocab, ids, tokens.Length, text, buffer.Length, removeSpecial ? (byte)1 : (byte)0, unparseSpecial ? (byte)1 : (byte)0);
            if (n >= 0)
                return buffer.AsSpan(0, n).ToArray();
            if (-n <= buffer.Length)
                throw new InvalidOperationException($"llama_detokenize returned {n} for a buffer of {buffer.Length} bytes.");
            buffer = new byte[-n];
        }
    }

    /// <summary><c>llama_token_to_piece</c> with <c>lstrip = 0</c>.</summary>
    public byte[] TokenToPiece(int token, bool special)
    {
        var buffer = new byte[256];
        while (true)
        {
            int n;
            fixed (byte* text = buffer)
                n = Native.TokenToPiece(vocab, token, text, buffer.Length, 0, special ? (byte)1 : (byte)0);
            if (n >= 0)
                return buffer.AsSpan(0, n).ToArray();
            buffer = new byte[-n];
        }
    }

    public bool IsEndOfGeneration(int token) => Native.VocabIsEog(vocab, token) != 0;

    /// <summary>llama.cpp's <c>llama_token_attr</c> bits of a token after its load-time corrections.</summary>
    public int GetAttributes(int token) => Native.VocabGetAttr(vocab, token);

    public string GetText(int token) => Marshal.PtrToStringUTF8((nint)Native.VocabGetText(vocab, token)) ?? "";

    public void Dispose() => weights.Dispose();

    /// <summary>llama.cpp's Unicode tables (<c>unicode.cpp</c>): exported C++ functions of the same libllama.</summary>
    public static ushort UnicodeFlags(uint codePoint)
    {
        Native.EnsureLoaded();
        return Native.UnicodeFlagsFromCpt(codePoint);
    }

    public static uint UnicodeToLower(uint codePoint)
    {
        Native.EnsureLoaded();
        return Native.UnicodeToLower(codePoint);
    }

    // Entry points of the libllama LLamaSharp loaded, found among the process's modules so the very same library
    // instance (and its model structs) is called.
    private static class Native
    {
        public static readonly delegate* unmanaged<nint, nint> ModelGetVocab;
        public static readonly delegate* unmanaged<nint, int> VocabNTokens;
        public static readonly delegate* unmanaged<nint, int> VocabBos;
        public static readonly delegate* unmanaged<nint, int> VocabEos;
        public static readonly delegate* unmanaged<nint, byte> VocabGetAddBos;
        public static readonly delegate* unmanaged<nint, byte> VocabGetAddEos;
        public static readonly delegate* unmanaged<nint, int, byte> VocabIsEog;
        public static readonly delegate* unmanaged<nint, int, int> VocabGetAttr;
        public static readonly delegate* unmanaged<nint, int, byte*> VocabGetText;
        public static readonly delegate* unmanaged<nint, byte*, int, int*, int, byte, byte, int> Tokenize;
        public static readonly delegate* unmanaged<nint, int, byte*, int, int, byte, int> TokenToPiece;
        public static readonly delegate* unmanaged<nint, int*, int, byte*, int, byte, byte, int> Detokenize;
        public static readonly delegate* unmanaged<uint, ushort> UnicodeFlagsFromCpt;
        public static readonly delegate* unmanaged<uint, uint> UnicodeToLower;

        static Native()
        {
            nint library = NativeLibrary.Load(FindLibllama());
            ModelGetVocab = (delegate* unmanaged<nint, nint>)NativeLibrary.GetExport(library, "llama_model_get_vocab");
            VocabNTokens = (delegate* unmanaged<nint, int>)NativeLibrary.GetExport(library, "llama_vocab_n_tokens");
            VocabBos = (delegate* unmanaged<nint, int>)NativeLibrary.GetExport(library, "llama_vocab_bos");
            VocabEos = (delegate* unmanaged<nint, int>)NativeLibrary.GetExport(library, "llama_vocab_eos");
            VocabGetAddBos = (delegate* unmanaged<nint, byte>)NativeLibrary.GetExport(library, "llama_vocab_get_add_bos");
            VocabGetAddEos = (delegate* unmanaged<nint, byte>)NativeLibrary.GetExport(library, "llama_vocab_get_add_eos");
            VocabIsEog = (delegate* unmanaged<nint, int, byte>)NativeLibrary.GetExport(library, "llama_vocab_is_eog");
            VocabGetAttr = (delegate* unmanaged<nint, int, int>)NativeLibrary.GetExport(library, "llama_vocab_get_attr");
            VocabGetText = (delegate* unmanaged<nint, int, byte*>)NativeLibrary.GetExport(library, "llama_vocab_get_text");
            Tokenize = (delegate* unmanaged<nint, byte*, int, int*, int, byte, byte, int>)NativeLibrary.GetExport(library, "llama_tokenize");
            TokenToPiece = (delegate* unmanaged<nint, int, byte*, int, int, byte, int>)NativeLibrary.GetExport(library, "llama_token_to_piece");
            Detokenize = (delegate* unmanaged<nint, int*, int, byte*, int, byte, byte, int>)NativeLibrary.GetExport(library, "llama_detokenize");
            // C++ functions with external linkage in unicode.cpp (Itanium mangling of (unsigned int) arguments).
            UnicodeFlagsFromCpt = (delegate* unmanaged<uint, ushort>)NativeLibrary.GetExport(library, "_Z26unicode_cpt_flags_from_cptj");
            UnicodeToLower = (delegate* unmanaged<uint, uint>)NativeLibrary.GetExport(library, "_Z15unicode_tolowerj");
        }

        public static void EnsureLoaded() { }

        private static string FindLibllama()
        {
            foreach (ProcessModule module in Process.GetCurrentProcess().Modules)
            {
                if (module.ModuleName is "libllama.so" or "libllama.dylib" or "llama.dll")
                    return module.FileName;
            }
            // Not loaded yet: have LLamaSharp load it (it picks the build for this CPU), then look again.
            NativeApi.llama_empty_call();
            foreach (ProcessModule module in Process.GetCurrentProcess().Modules)
            {
                if (module.ModuleName is "libllama.so" or "libllama.dylib" or "llama.dll")
                    return module.FileName;
            }
            throw new InvalidOperationException("llama.cpp's libllama could not be loaded through LLamaSharp.");
        }
    }
}
