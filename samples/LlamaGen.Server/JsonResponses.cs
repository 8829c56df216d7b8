using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace LlamaGen.Server;

/// <summary>Writes JSON bodies with <see cref="Utf8JsonWriter"/> (AOT-safe, and the shapes read as the OpenAI reference does).</summary>
internal static class JsonResponses
{
    private static readonly JsonWriterOptions Options = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static byte[] Build(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, Options)) write(writer);
        return buffer.WrittenSpan.ToArray();
    }

    public static async Task WriteAsync(HttpContext context, int status, Action<Utf8JsonWriter> write)
    {
        byte[] body = Build(write);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>OpenAI's error object: <c>{"error": {"code", "message", "type", "param"}}</c>.</summary>
    public static void Error(Utf8JsonWriter writer, ApiException error)
    {
        writer.WriteStartObject();
        writer.WriteStartObject("error");
        writer.WriteNumber("code", error.Status);
        writer.WriteString("message", error.Message);
        writer.WriteString("type", error.Type);
        if (error.Param is null) writer.WriteNull("param");
        else writer.WriteString("param", error.Param);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    public static Task WriteErrorAsync(HttpContext context, ApiException error)
    {
        if (error.RetryAfter is int seconds) context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return WriteAsync(context, error.Status, writer => Error(writer, error));
    }
}
