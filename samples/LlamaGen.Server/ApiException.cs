namespace LlamaGen.Server;

/// <summary>
/// A request the server answers with an OpenAI-shaped error: <c>{"error": {"code", "message", "type"}}</c>, the HTTP
/// status equal to the code. Handlers throw it; <see cref="ErrorResponses"/> writes it.
/// </summary>
public sealed class ApiException(int status, string type, string message, string? param = null) : Exception(message)
{
    public int Status { get; } = status;

    /// <summary>OpenAI's error type: invalid_request_error, authentication_error, not_found_error, unavailable_error, server_error.</summary>
    public string Type { get; } = type;

    /// <summary>The request field at fault, when one is.</summary>
    public string? Param { get; } = param;

    /// <summary>Seconds to put in <c>Retry-After</c> (503s).</summary>
    public int? RetryAfter { get; init; }

    /// <summary>A 400 naming <paramref name="field"/> (its JSON path, such as <c>messages[1].role</c>).</summary>
    public static ApiException Invalid(string field, string message) => new(400, "invalid_request_error", $"{field}: {message}", field);

    public static ApiException Unavailable(string message, int retryAfter) => new(503, "unavailable_error", message) { RetryAfter = retryAfter };
}
