namespace LlamaGen.Server;

/// <summary>How <see cref="LlamaServer"/> listens and answers (the engine's own options come with the loaded model).</summary>
public sealed record ServerOptions
{
    /// <summary>The address to bind: loopback unless asked otherwise, so a server is never exposed by accident.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>The TCP port; 0 lets the system pick a free one (see <see cref="LlamaServer.Port"/>).</summary>
    public int Port { get; init; } = 8080;

    /// <summary>When set, every endpoint but <c>/health</c>, <c>/v1/models</c> and the chat page wants <c>Authorization: Bearer KEY</c>.</summary>
    public string? ApiKey { get; init; }

    /// <summary>The model id clients see (<c>/v1/models</c>, the <c>model</c> field of responses).</summary>
    public string ModelId { get; init; } = "model";

    /// <summary>Named in the <c>X-LlamaGen-Replica</c> response header, so a load balancer's traffic can be traced to a replica.</summary>
    public string? ReplicaName { get; init; }

    /// <summary>Seconds a client is told to wait (<c>Retry-After</c>) when the server is loading or its queue is full.</summary>
    public int RetryAfterSeconds { get; init; } = 1;

    /// <summary>Request bodies larger than this are refused (413) before they are parsed.</summary>
    public long MaxRequestBodyBytes { get; init; } = 8 * 1024 * 1024;

    /// <summary>Where the one line per request goes (null: nowhere).</summary>
    public TextWriter? Log { get; init; }

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Host)) throw new ArgumentException("Host must not be empty.", nameof(Host));
        if (Port is < 0 or > 65535) throw new ArgumentOutOfRangeException(nameof(Port), Port, "Port must be in [0, 65535].");
        if (ApiKey is { Length: 0 }) throw new ArgumentException("ApiKey must not be empty (leave it unset for no key).", nameof(ApiKey));
        if (string.IsNullOrWhiteSpace(ModelId)) throw new ArgumentException("ModelId must not be empty.", nameof(ModelId));
        if (RetryAfterSeconds < 0) throw new ArgumentOutOfRangeException(nameof(RetryAfterSeconds), RetryAfterSeconds, "RetryAfterSeconds must be >= 0.");
    }
}
