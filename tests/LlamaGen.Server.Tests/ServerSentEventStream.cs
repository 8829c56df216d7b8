using System.Text;
using System.Text.Json;

namespace LlamaGen.Server.Tests;

/// <summary>
/// A response body checked against OpenAI's SSE framing byte by byte: nothing but <c>data: PAYLOAD\n\n</c> blocks, the
/// last one <c>[DONE]</c>. Returns the JSON payloads before it.
/// </summary>
public static class ServerSentEventStream
{
    public static List<JsonElement> Parse(string body)
    {
        var events = new List<JsonElement>();
        int at = 0;
        bool done = false;
        while (at < body.Length)
        {
            Assert.False(done, $"data after [DONE]: {body[at..]}");
            Assert.True(body.AsSpan(at).StartsWith("data: "), $"an event must start with 'data: ' at char {at}: {Show(body, at)}");
            int end = body.IndexOf("\n\n", at, StringComparison.Ordinal);
            Assert.True(end > 0, $"an event must end with a blank line: {Show(body, at)}");
            string payload = body[(at + 6)..end];
            Assert.DoesNotContain('\n', payload);
            if (payload == "[DONE]") done = true;
            else events.Add(JsonDocument.Parse(payload).RootElement.Clone());
            at = end + 2;
        }
        Assert.True(done, "the stream must end with data: [DONE]");
        return events;
    }

    public static async Task<List<JsonElement>> ReadAsync(HttpResponseMessage response)
    {
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return Parse(Encoding.UTF8.GetString(await response.Content.ReadAsByteArrayAsync()));
    }

    private static string Show(string body, int at) => body.Substring(at, Math.Min(80, body.Length - at));
}
