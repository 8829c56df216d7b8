using LlamaGen.Sequences;
using LlamaGen.Threading;

namespace LlamaGen.Inference;

/// <summary>How an <see cref="InferenceEngine"/> batches its requests.</summary>
public sealed record InferenceEngineOptions
{
    /// <summary>Requests decoded together at most; the others wait in the queue in arrival order.</summary>
    public int MaxParallel { get; init; } = 8;

    /// <summary>Rows of one decode step: a token of every generating request, then prompt chunks of the others.</summary>
    public int BatchCapacity { get; init; } = 128;

    /// <summary>Prompt tokens of one request evaluated per step at most, so a long prompt does not stall the others.</summary>
    public int PromptChunk { get; init; } = 64;

    /// <summary>Requests waiting beyond the parallel ones at most; one more is refused at once (<see cref="EngineOverloadedException"/>). Null: no limit.</summary>
    public int? MaxQueue { get; init; }

    /// <summary>Splits the large products over its threads (the caller owns it); null computes on the engine's thread.</summary>
    public WorkerPool? Pool { get; init; }

    /// <summary>How the engine makes the sequences of requests that bring none.</summary>
    public SequenceOptions? Sequences { get; init; }

    public void Validate()
    {
        if (MaxParallel <= 0) throw new ArgumentOutOfRangeException(nameof(MaxParallel), MaxParallel, "MaxParallel must be >= 1.");
        if (BatchCapacity < MaxParallel) throw new ArgumentOutOfRangeException(nameof(BatchCapacity), BatchCapacity, $"BatchCapacity must be at least MaxParallel ({MaxParallel}).");
        if (PromptChunk <= 0) throw new ArgumentOutOfRangeException(nameof(PromptChunk), PromptChunk, "PromptChunk must be >= 1.");
        if (MaxQueue is < 0) throw new ArgumentOutOfRangeException(nameof(MaxQueue), MaxQueue, "MaxQueue must be >= 0.");
    }
}
