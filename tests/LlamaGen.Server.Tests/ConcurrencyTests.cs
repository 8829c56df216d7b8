using System.Diagnostics;
using System.Net;
using System.Text.Json;
using LlamaGen.Hosting;

namespace LlamaGen.Server.Tests;

/// <summary>
/// Continuous batching through HTTP: slots used together, each reply what the request gets alone; a full queue answered
/// with 503 at once; a client that goes away frees its slot; cache_prompt reuses the cached prefix (or not).
/// </summary>
public sealed class ConcurrencyTests
{
    private static async Task<(int Status, string Text, JsonElement Body)> ChatAsync(HttpClient http, string user, int maxTokens, string extra = "")
    {
        using HttpResponseMessage response = await Json.PostAsync(http, "/v1/chat/completions", Json.Chat(user, maxTokens, extra: extra));
        string body = await response.Content.ReadAsStringAsync();
        JsonElement json = JsonDocument.Parse(body).RootElement.Clone();
        string text = response.IsSuccessStatusCode ? json.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()! : "";
        return ((int)response.StatusCode, text, json);
    }

    /// <summary>Polls <c>/metrics</c> until <paramref name="stop"/>, returning the most requests it saw processing at once.</summary>
    private static async Task<int> MaxProcessingAsync(RunningServer server, CancellationToken stop)
    {
        int max = 0;
        while (!stop.IsCancellationRequested)
        {
            max = Math.Max(max, (int)await server.MetricAsync("llamagen:requests_processing"));
        }
        return max;
    }

    [Fact]
    public async Task Twelve_requests_on_four_slots_all_succeed_four_at_once_each_as_alone()
    {
        await using RunningServer server = await RunningServer.StartAsync(parallel: 4, contextLength: 512);
        string[] users = [.. Enumerable.Range(0, 12).Select(i => $"Request number {i}: tell me about llama {i * 7}.")];
        const int maxTokens = 120;

        using var done = new CancellationTokenSource();
        Task<int> watcher = Task.Run(() => MaxProcessingAsync(server, done.Token));
        var results = await Task.WhenAll(users.Select(user => ChatAsync(server.Http, user, maxTokens)));
        done.Cancel();
        int maxProcessing = await watcher;

        Assert.All(results, result => Assert.Equal(200, result.Status));
        Assert.Equal(4, maxProcessing);

        // Each reply equals the same request run alone (one at a time on the server), and the reference decoding alone.
        LocalModel local = server.Local;
        for (int i = 0; i < users.Length; i++)
        {
            var alone = await ChatAsync(server.Http, users[i], maxTokens, extra: ""","cache_prompt":false""");
            Assert.Equal(alone.Text, results[i].Text);
            int[] prompt = Reference.ChatPrompt(local, new Chat.ChatMessage("user", users[i]));
            Assert.Equal(Reference.Text(local, Reference.GreedyAlone(local, prompt, maxTokens)), results[i].Text);
        }
    }

    [Fact]
    public async Task Beyond_the_queue_requests_get_503_with_retry_after_at_once_and_health_answers_after()
    {
        await using RunningServer server = await RunningServer.StartAsync(parallel: 2, queue: 8, contextLength: 512);
        // Open the connections first, so the 32 requests reach the server together.
        await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => server.Http.GetAsync("/health")));

        var total = Stopwatch.StartNew();
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 32).Select(async i =>
        {
            var clock = Stopwatch.StartNew();
            using HttpResponseMessage response = await Json.PostAsync(server.Http, "/v1/chat/completions", Json.Chat($"Busy {i}", 200));
            string body = await response.Content.ReadAsStringAsync();
            return (Status: (int)response.StatusCode, RetryAfter: response.Headers.RetryAfter, Body: body, Elapsed: clock.Elapsed);
        }));
        total.Stop();

        var accepted = outcomes.Where(o => o.Status == 200).ToList();
        var rejected = outcomes.Where(o => o.Status == 503).ToList();
        Assert.Equal(32, accepted.Count + rejected.Count);
        // 2 decoding and 8 waiting fit; the rest must be refused.
        Assert.True(accepted.Count >= 10, $"{accepted.Count} accepted");
        Assert.True(rejected.Count > 0, $"none of 32 was refused; took {string.Join(", ", outcomes.Select(o => $"{o.Elapsed.TotalMilliseconds:F0}"))} ms; log:\n{string.Join("\n", server.Log.Split("\n").Where(l => l.Contains("POST")))}");
        foreach (var o in rejected)
        {
            Assert.NotNull(o.RetryAfter);
            JsonElement error = JsonDocument.Parse(o.Body).RootElement.GetProperty("error");
            Assert.Equal("unavailable_error", error.GetProperty("type").GetString());
            Assert.Equal(503, error.GetProperty("code").GetInt32());
            // Refused at once, not after waiting for a slot (an accepted request waits for up to four others of 200 tokens).
            Assert.True(o.Elapsed < TimeSpan.FromSeconds(2), $"a 503 took {o.Elapsed}");
        }
        Assert.True(total.Elapsed < TimeSpan.FromSeconds(25), $"took {total.Elapsed}");
        Assert.Equal(rejected.Count, await server.MetricAsync("llamagen:requests_rejected_total"));

        using HttpResponseMessage health = await server.Http.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(0, await server.MetricAsync("llamagen:requests_processing"));
    }

    [Fact]
    public async Task A_client_that_drops_mid_stream_frees_its_slot_within_a_second()
    {
        await using RunningServer server = await RunningServer.StartAsync(parallel: 1, contextLength: 4096);
        // A raw socket, so the client really goes away (HttpClient would drain the rest of the response to reuse the
        // connection). No max_tokens: without the disconnect the reply would run until the 4096-token context is full.
        const string body = """{"messages":[{"role":"user","content":"Go on forever"}],"temperature":0,"stream":true}""";
        using (var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp))
        {
            await socket.ConnectAsync(IPAddress.Loopback, server.Port);
            string request = $"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n{body}";
            await socket.SendAsync(System.Text.Encoding.UTF8.GetBytes(request));
            var received = new System.Text.StringBuilder();
            var buffer = new byte[4096];
            // Read until a few chunks have arrived: the reply is streaming.
            while (CountEvents(received.ToString()) < 5)
            {
                int read = await socket.ReceiveAsync(buffer);
                Assert.True(read > 0, $"the server closed the stream: {received}");
                received.Append(System.Text.Encoding.UTF8.GetString(buffer, 0, read));
            }
            Assert.StartsWith("HTTP/1.1 200", received.ToString());
            Assert.Equal(1, await server.MetricAsync("llamagen:requests_processing"));
        }

        var clock = Stopwatch.StartNew();
        while (await server.MetricAsync("llamagen:requests_processing") != 0)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), "the slot was still busy a second after the client left");
            await Task.Delay(10);
        }
        double generated = await server.MetricAsync("llamagen:tokens_predicted_total");
        Assert.True(generated < 4000, $"{generated} tokens: the reply ran on instead of being cancelled");

        // The one slot serves the next request.
        var next = await ChatAsync(server.Http, "Next", 3);
        Assert.Equal(200, next.Status);
        Assert.Matches(@"POST /v1/chat/completions 499", server.Log);

        static int CountEvents(string text) => text.Split("data: ").Length - 1;
    }

    [Fact]
    public async Task Cache_prompt_reuses_the_cached_prefix_and_false_reuses_nothing()
    {
        await using RunningServer server = await RunningServer.StartAsync(parallel: 2);
        const string user = "The same question twice: what do llamas eat?";
        var first = await ChatAsync(server.Http, user, 4);
        int promptTokens = first.Body.GetProperty("usage").GetProperty("prompt_tokens").GetInt32();
        Assert.Equal(0, Cached(first.Body));

        var again = await ChatAsync(server.Http, user, 4);
        // Everything but the last prompt token, which is evaluated again for its logits.
        Assert.Equal(promptTokens - 1, Cached(again.Body));
        Assert.Equal(first.Text, again.Text);

        var uncached = await ChatAsync(server.Http, user, 4, extra: ""","cache_prompt":false""");
        Assert.Equal(0, Cached(uncached.Body));
        Assert.Equal(first.Text, uncached.Text);

        static int Cached(JsonElement body) => body.GetProperty("usage").GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32();
    }
}
