using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace LlamaGen.Server;

/// <summary>Reads a request body as one JSON object; anything else is a 400 saying what is wrong and where.</summary>
internal static class RequestBody
{
    public static async Task<JsonDocument> ReadObjectAsync(HttpContext context, long limit)
    {
        if (context.Request.ContentLength > limit)
            throw new ApiException(413, "invalid_request_error", $"request body: {context.Request.ContentLength} bytes, more than the {limit} this server reads.");
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
        if (buffer.Length > limit)
            throw new ApiException(413, "invalid_request_error", $"request body: more than the {limit} bytes this server reads.");
        if (buffer.Length == 0) throw ApiException.Invalid("request body", "empty; expected a JSON object.");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            throw ApiException.Invalid("request body", $"malformed JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}): {FirstSentence(e.Message)}");
        }
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            JsonValueKind kind = document.RootElement.ValueKind;
            document.Dispose();
            throw ApiException.Invalid("request body", $"expected a JSON object, got {RequestFields.Describe(kind)}.");
        }
        return document;
    }

    private static string FirstSentence(string message)
    {
        int end = message.IndexOf(" Path:", StringComparison.Ordinal);
        return end > 0 ? message[..end] : message;
    }
}
