using System.Diagnostics;
using LlamaGen.AI;
using LlamaGen.Chat;
using LlamaGen.Compute;
using LlamaGen.Gguf;
using LlamaGen.Inference;
using LlamaGen.Models;
using LlamaGen.Sequences;
using LlamaGen.Threading;
using LlamaGen.Tokenization;

namespace LlamaGen.Hosting;

/// <summary>
/// A GGUF file ready to use: mapped and checked, matched to a compiled model, its tokenizer and chat prompt read, the
/// weights bound, and one <see cref="InferenceEngine"/> that batches everything asked of it. Chat clients and embedding
/// generators made here share the engine, so any number of them (and of threads) use one copy of the weights.
/// </summary>
/// <example>
/// <code>
/// using var local = LocalModel.Load("llama-2-7b-chat.Q4_K_M.gguf", MyModels.All);
/// IChatClient chat = local.CreateChatClient();
/// Console.WriteLine(await chat.GetResponseAsync("Why is the sky blue?"));
/// </code>
/// </example>
public sealed class LocalModel : IDisposable
{
    private readonly WorkerPool? pool;
    private bool disposed;

    private LocalModel(GgufFile file, ModelDescriptor descriptor, Tokenizer tokenizer, ChatPrompt prompt, ILlamaModel model, WorkerPool? pool,
        InferenceEngine engine, TimeSpan loadTime)
    {
        File = file;
        Descriptor = descriptor;
        Tokenizer = tokenizer;
        ChatPrompt = prompt;
        Model = model;
        this.pool = pool;
        Engine = engine;
        LoadTime = loadTime;
    }

    /// <summary>
    /// Loads <paramref name="path"/> with the compiled model among <paramref name="models"/> whose spec matches it.
    /// </summary>
    /// <exception cref="ModelMismatchException">No compiled spec matches the file (the message lists them and how to add one).</exception>
    /// <exception cref="GgufFormatException">The file is not valid GGUF (the message names the offset).</exception>
    /// <exception cref="ChatTemplateException">The chat template does not parse (the message names its line).</exception>
    public static LocalModel Load(string path, IReadOnlyList<ModelDescriptor> models, LocalModelOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(models);
        options ??= new LocalModelOptions();
        options.Validate();
        long start = Stopwatch.GetTimestamp();
        GgufFile file = GgufFile.Open(path);
        WorkerPool? pool = null;
        ILlamaModel? model = null;
        try
        {
            ModelDescriptor descriptor = ModelCatalog.Match(file, models);
            Tokenizer tokenizer = Tokenizer.FromGguf(file);
            ChatPrompt prompt = ChatPrompt.FromGguf(file, tokenizer, options.ChatTemplate);
            pool = options.Threads > 1 ? new WorkerPool(options.Threads) : null;
            model = descriptor.Load(file, new ModelLoadOptions { KvCacheType = options.KvCacheType, Isa = options.Isa });
            var sequences = new SequenceOptions { ContextLength = options.ContextLength, KvCacheType = options.KvCacheType };
            var engine = new InferenceEngine(model, tokenizer, options.Engine with { Pool = pool, Sequences = sequences });
            return new LocalModel(file, descriptor, tokenizer, prompt, model, pool, engine, Stopwatch.GetElapsedTime(start));
        }
        catch
        {
            model?.Dispose();
            pool?.Dispose();
            file.Dispose();
            throw;
        }
    }

    /// <summary>The mapped file (the weights point into it).</summary>
    public GgufFile File { get; }

    /// <summary>The compiled model the file matched.</summary>
    public ModelDescriptor Descriptor { get; }

    public Tokenizer Tokenizer { get; }

    /// <summary>How conversations become prompts: the file's template (or the one given), else Llama 2-Chat's format.</summary>
    public ChatPrompt ChatPrompt { get; }

    /// <summary>The bound weights, shared by every sequence.</summary>
    public ILlamaModel Model { get; }

    /// <summary>The engine every client made here runs on.</summary>
    public InferenceEngine Engine { get; }

    /// <summary>From opening the file to the weights bound.</summary>
    public TimeSpan LoadTime { get; }

    /// <summary>
    /// Bytes of the engine's KV caches when every slot holds a full context: each slot's cache is allocated whole and its
    /// pages become resident as the slot fills, so this is what the caches may grow to, not what they hold at start.
    /// </summary>
    public long KvCacheBytesAtMost =>
        Engine.Options.MaxParallel * KvCache.SizeFor(Model.Shape.BlockCount, Engine.ContextLength, Model.Shape.KvDimension,
                                                     Engine.Options.Sequences?.KvCacheType ?? KvCacheType.F32);

    /// <summary>A chat client on <see cref="Engine"/>.</summary>
    public LlamaChatClient CreateChatClient(LlamaChatClientOptions? options = null) => new(Engine, ChatPrompt, options);

    /// <summary>An embedding generator on <see cref="Engine"/>.</summary>
    public LlamaEmbeddingGenerator CreateEmbeddingGenerator(LlamaEmbeddingGeneratorOptions? options = null) => new(Engine, options);

    /// <summary>A conversation on <see cref="Engine"/>, with its own KV cache.</summary>
    public ChatSession CreateChatSession(ChatSessionOptions? options = null, string? systemPrompt = null) => new(Engine, ChatPrompt, options, systemPrompt);

    /// <summary>Stops the engine (requests still running fail), then frees the weights, the threads and the mapping.</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        Engine.Dispose();
        Model.Dispose();
        pool?.Dispose();
        File.Dispose();
    }
}
