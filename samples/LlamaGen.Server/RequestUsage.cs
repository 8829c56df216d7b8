namespace LlamaGen.Server;

/// <summary>What a request cost, set by the handler that ran it and logged by <see cref="RequestLog"/>.</summary>
internal sealed class RequestUsage
{
    public int PromptTokens { get; set; }
    public int CachedTokens { get; set; }
    public int GeneratedTokens { get; set; }

    /// <summary>The client went away before the answer was complete (logged as 499, nginx's "client closed request").</summary>
    public bool ClientClosed { get; set; }
}
