using LlamaGen.Hosting;

namespace LlamaGen.Server;

/// <summary>
/// The model a server answers with, loaded in the background once the server listens, so <c>/health</c> says
/// "loading" (and requests get 503 with Retry-After) until the weights are mapped and checked.
/// </summary>
public sealed class ServedModel : IDisposable
{
    private readonly TaskCompletionSource<LocalModel> loading = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int begun;

    /// <summary>Completes when the model is loaded (or faults with why it could not be).</summary>
    public Task<LocalModel> Loading => loading.Task;

    public bool IsReady => loading.Task.IsCompletedSuccessfully;

    /// <summary>Why loading failed; null while loading or once loaded.</summary>
    public string? Failure => loading.Task.IsFaulted ? loading.Task.Exception!.GetBaseException().Message : null;

    /// <summary>Starts <paramref name="load"/> on a pool thread (once).</summary>
    public void Begin(Func<LocalModel> load)
    {
        ArgumentNullException.ThrowIfNull(load);
        if (Interlocked.Exchange(ref begun, 1) != 0) throw new InvalidOperationException("The model is already loading.");
        _ = Task.Run(() =>
        {
            try
            {
                loading.TrySetResult(load());
            }
            catch (Exception e)
            {
                loading.TrySetException(e);
            }
        });
    }

    /// <summary>The loaded model; a 503 (with Retry-After) while it loads, a 500 when it failed to.</summary>
    public LocalModel Require(int retryAfter)
    {
        if (loading.Task.IsCompletedSuccessfully) return loading.Task.Result;
        if (Failure is { } failure) throw new ApiException(500, "server_error", $"The model failed to load: {failure}");
        throw ApiException.Unavailable("Loading model", retryAfter);
    }

    /// <summary>Frees the model; one still loading is waited for first.</summary>
    public void Dispose()
    {
        if (Volatile.Read(ref begun) == 0) return;
        try
        {
            loading.Task.GetAwaiter().GetResult().Dispose();
        }
        catch (Exception)
        {
            // It never loaded: nothing to free.
        }
    }
}
