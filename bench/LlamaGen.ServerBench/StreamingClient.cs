using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace LlamaGen.ServerBench;

/// <summary>Sends one streaming chat request and times each SSE chunk that carries text (one chunk per token, as the server sends them).</summary>
internal sealed class StreamingClient(HttpClient http, string? apiKey)
{
    public async Task<StreamTiming> RunAsync(string user, int maxTokens, CancellationToken cancellationToken)
    {
        string body = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["messages"] = new[] { new Dictionary<string, string> { ["role"] = "user", ["content"] = user } },
            ["max_tokens"] = maxTokens,
            ["temperature"] = 0,
            ["stream"] = true,
            // The same prompt every time would be served from the cache: the bench measures decoding, not reuse.
            ["cache_prompt"] = false,
        });
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (apiKey is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        var clock = Stopwatch.StartNew();
        using HttpResponseMessage response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"HTTP {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
        TimeSpan? first = null;
        TimeSpan last = TimeSpan.Zero;
        var gaps = new List<TimeSpan>();
        int tokens = 0;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (!line.StartsWith("data: ", StringComparison.Ordinal) || line == "data: [DONE]") continue;
            using JsonDocument chunk = JsonDocument.Parse(line.AsMemory(6));
            JsonElement choices = chunk.RootElement.GetProperty("choices");
            if (choices.GetArrayLength() == 0 || !choices[0].GetProperty("delta").TryGetProperty("content", out JsonElement content)) continue;
            if (content.GetString() is not { Length: > 0 }) continue;
            TimeSpan now = clock.Elapsed;
            if (first is null) first = now;
            else gaps.Add(now - last);
            last = now;
            tokens++;
        }
        return new StreamTiming(first ?? clock.Elapsed, gaps, tokens, clock.Elapsed);
    }
}
