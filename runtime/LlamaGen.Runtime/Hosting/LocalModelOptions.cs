using LlamaGen.Compute;
using LlamaGen.Inference;
using LlamaGen.Kernels;
using LlamaGen.Threading;

namespace LlamaGen.Hosting;

/// <summary>How a <see cref="LocalModel"/> loads its file and runs.</summary>
public sealed record LocalModelOptions
{
    /// <summary>Threads the large products are split over (1 computes on the engine's thread).</summary>
    public int Threads { get; init; } = WorkerPool.DefaultThreadCount;

    /// <summary>The KV caches' element type.</summary>
    public KvCacheType KvCacheType { get; init; } = KvCacheType.F32;

    /// <summary>The kernels' instruction set; null: the best this CPU runs.</summary>
    public KernelIsa? Isa { get; init; }

    /// <summary>Positions of each sequence; null: the model's context length.</summary>
    public int? ContextLength { get; init; }

    /// <summary>A chat template to use instead of the file's <c>tokenizer.chat_template</c> (the template's text).</summary>
    public string? ChatTemplate { get; init; }

    /// <summary>How the engine batches (its pool and sequences are set from the options above).</summary>
    public InferenceEngineOptions Engine { get; init; } = new();

    public void Validate()
    {
        if (Threads < 1) throw new ArgumentOutOfRangeException(nameof(Threads), Threads, "Threads must be >= 1.");
        if (ContextLength is < 2) throw new ArgumentOutOfRangeException(nameof(ContextLength), ContextLength, "ContextLength must be >= 2.");
        ArgumentNullException.ThrowIfNull(Engine, nameof(Engine));
        Engine.Validate();
    }
}
