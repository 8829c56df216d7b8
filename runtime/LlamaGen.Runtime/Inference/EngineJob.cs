using System.Runtime.CompilerServices;

namespace LlamaGen.Inference;

/// <summary>A running request's handle: its updates as they come.</summary>
public sealed class EngineJob
{
    private readonly InferenceEngine engine;
    private readonly InferenceEngine.Job job;

    internal EngineJob(InferenceEngine engine, InferenceEngine.Job job)
    {
        this.engine = engine;
        this.job = job;
    }

    /// <summary>
    /// Completes when the engine has let go of the request and its sequence (finished, failed or cancelled): after a
    /// cancellation, await it before using the sequence again.
    /// </summary>
    public Task Released => job.Released.Task;

    /// <summary>Set when the reader stopped early: the engine drops the request before its next step.</summary>
    internal bool Abandoned { get; private set; }

    /// <summary>
    /// The request's updates, the last one with the stop reason and counts. Stopping the enumeration early (or
    /// cancelling <paramref name="cancellationToken"/>) cancels the request: its sequence is free within one step.
    /// </summary>
    public async IAsyncEnumerable<GenerationUpdate> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        try
        {
            while (await job.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (job.Reader.TryRead(out GenerationUpdate update)) yield return update;
            }
        }
        finally
        {
            if (!job.Done)
            {
                Abandoned = true;
                engine.Wake();
            }
        }
    }
}
