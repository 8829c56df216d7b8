using System.Text.Json;

namespace LlamaGen.Server.Tests;

/// <summary><c>/metrics</c> counts what the requests' usage says, in Prometheus' format; the log has one line per request.</summary>
public sealed class MetricsTests
{
    [Fact]
    public async Task Counters_move_by_the_usage_of_each_request_and_each_request_is_logged()
    {
        await using RunningServer server = await RunningServer.StartAsync(parallel: 2);
        string before = await server.Http.GetStringAsync("/metrics");
        Assert.Contains("# TYPE llamagen:prompt_tokens_total counter", before);
        Assert.Contains("# TYPE llamagen:requests_processing gauge", before);
        foreach (string name in (string[])["llamagen:prompt_tokens_total", "llamagen:tokens_predicted_total", "llamagen:prompt_seconds_total",
                     "llamagen:tokens_predicted_seconds_total", "llamagen:requests_processing", "llamagen:requests_deferred",
                     "llamagen:kv_cache_tokens", "llamagen:kv_cache_usage_ratio", "llamagen:requests_rejected_total"])
            Metrics.Value(before, name);

        using HttpResponseMessage response = await Json.PostAsync(server.Http, "/v1/chat/completions", Json.Chat("Count me", 6));
        JsonElement usage = (await Json.ReadAsync(response)).GetProperty("usage");
        int prompt = usage.GetProperty("prompt_tokens").GetInt32();
        int cached = usage.GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32();
        string after = await server.Http.GetStringAsync("/metrics");

        Assert.Equal(prompt - cached, Metrics.Value(after, "llamagen:prompt_tokens_total") - Metrics.Value(before, "llamagen:prompt_tokens_total"));
        Assert.Equal(6, Metrics.Value(after, "llamagen:tokens_predicted_total") - Metrics.Value(before, "llamagen:tokens_predicted_total"));
        Assert.True(Metrics.Value(after, "llamagen:prompt_seconds_total") > Metrics.Value(before, "llamagen:prompt_seconds_total"));
        Assert.Equal(1, Metrics.Value(after, "llamagen:requests_finished_total") - Metrics.Value(before, "llamagen:requests_finished_total"));
        Assert.Equal(0, Metrics.Value(after, "llamagen:requests_processing"));
        Assert.Matches($@"POST /v1/chat/completions 200 prompt={prompt} cached={cached} generated=6 [0-9.]+ ms", server.Log);
        Assert.Matches(@"GET /metrics 200 [0-9.]+ ms", server.Log);
    }
}
