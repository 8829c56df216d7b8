using System.Text;
using LLama;
using LLama.Common;
using LLama.Native;

namespace LlamaGen.Chat.Tests;

/// <summary>llama.cpp's tokenizer for a GGUF's vocabulary (LLamaSharp 0.30.0, vocabulary only: no weights are loaded).</summary>
public sealed class LlamaCppVocabulary : IDisposable
{
    static LlamaCppVocabulary()
    {
        // llama.cpp logs every load at length; keep only its errors.
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
            NativeLogConfig.llama_log_set(onlyErrors);
        }
    }

    private readonly LLamaWeights _weights;

    private LlamaCppVocabulary(LLamaWeights weights) => _weights = weights;

    public static LlamaCppVocabulary Open(string ggufPath) =>
        new(LLamaWeights.LoadFromFile(new ModelParams(ggufPath) { VocabOnly = true, GpuLayerCount = 0 }));

    /// <summary><c>llama_tokenize</c>: <paramref name="addSpecial"/> adds BOS as the vocabulary asks; <paramref name="parseSpecial"/>
    /// turns control-token texts such as "&lt;s&gt;" into those tokens.</summary>
    public int[] Tokenize(string text, bool addSpecial, bool parseSpecial) =>
        Array.ConvertAll(_weights.NativeHandle.Tokenize(text, addSpecial, parseSpecial, Encoding.UTF8), t => (int)t);

    public void Dispose() => _weights.Dispose();
}
