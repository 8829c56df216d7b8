using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace LlamaGen.Server;

/// <summary>OpenAI's streaming framing: <c>data: {json}\n\n</c> per event, flushed at once, and <c>data: [DONE]\n\n</c> to end.</summary>
internal static class ServerSentEvents
{
    private static readonly byte[] Prefix = "data: "u8.ToArray();
    private static readonly byte[] Separator = "\n\n"u8.ToArray();
    private static readonly byte[] Done = "data: [DONE]\n\n"u8.ToArray();

    public static async Task StartAsync(HttpResponse response)
    {
        response.StatusCode = 200;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        // nginx buffers proxied responses unless told not to; a stream has to arrive token by token.
        response.Headers["X-Accel-Buffering"] = "no";
        await response.StartAsync().ConfigureAwait(false);
    }

    public static async Task WriteAsync(HttpResponse response, Action<Utf8JsonWriter> write, CancellationToken cancellationToken)
    {
        byte[] json = JsonResponses.Build(write);
        var bytes = new byte[Prefix.Length + json.Length + Separator.Length];
        Prefix.CopyTo(bytes, 0);
        json.CopyTo(bytes, Prefix.Length);
        Separator.CopyTo(bytes, Prefix.Length + json.Length);
        await response.Body.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public static async Task WriteDoneAsync(HttpResponse response, CancellationToken cancellationToken)
    {
        await response.Body.WriteAsync(Done, cancellationToken).ConfigureAwait(false);
        await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>An id like OpenAI's: a prefix and 32 hex digits.</summary>
    public static string NewId(string prefix) => prefix + Guid.NewGuid().ToString("N");

}
