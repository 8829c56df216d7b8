using System.Globalization;
using System.Text;
using LlamaGen.Hosting;
using LlamaGen.Inference;
using Microsoft.AspNetCore.Http;

namespace LlamaGen.Server;

/// <summary><c>GET /metrics</c>: the engine's counters in Prometheus' text format, named as llama.cpp's server names them (prefix <c>llamagen:</c>).</summary>
internal static class MetricsEndpoint
{
    public static async Task HandleAsync(HttpContext context, ServedModel served, ServerOptions options)
    {
        LocalModel local = served.Require(options.RetryAfterSeconds);
        string text = Render(local.Engine.Statistics);
        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
        await context.Response.WriteAsync(text, context.RequestAborted).ConfigureAwait(false);
    }

    internal static string Render(EngineStatistics s)
    {
        var text = new StringBuilder();
        Metric(text, "prompt_tokens_total", "counter", "Prompt tokens evaluated (cached prefixes not counted).", s.PromptTokens);
        Metric(text, "prompt_seconds_total", "counter", "Seconds of the decode steps that evaluated prompt tokens.", s.PromptTime.TotalSeconds);
        Metric(text, "tokens_predicted_total", "counter", "Tokens generated.", s.GeneratedTokens);
        Metric(text, "tokens_predicted_seconds_total", "counter", "Seconds of the decode steps that only generated.", s.GenerationTime.TotalSeconds);
        Metric(text, "n_decode_total", "counter", "Decode steps run.", s.Steps);
        Metric(text, "tokens_decoded_total", "counter", "Token rows the model decoded (prompt and generated).", s.TokensDecoded);
        Metric(text, "requests_processing", "gauge", "Requests decoding now (in a slot).", s.Processing);
        Metric(text, "requests_deferred", "gauge", "Requests waiting in the queue.", s.Queued);
        Metric(text, "requests_finished_total", "counter", "Requests finished (completed, cancelled or failed).", s.Finished);
        Metric(text, "requests_rejected_total", "counter", "Requests refused because the queue was full (answered 503).", s.Rejected);
        Metric(text, "kv_cache_tokens", "gauge", "KV cache positions held by the running requests.", s.KvCacheTokens);
        Metric(text, "kv_cache_usage_ratio", "gauge", "KV cache positions held over those the running requests' sequences can hold (0 when none run).",
            s.KvCacheCapacity == 0 ? 0 : (double)s.KvCacheTokens / s.KvCacheCapacity);
        return text.ToString();
    }

    private static void Metric(StringBuilder text, string name, string type, string help, double value)
    {
        text.Append("# HELP llamagen:").Append(name).Append(' ').Append(help).Append('\n');
        text.Append("# TYPE llamagen:").Append(name).Append(' ').Append(type).Append('\n');
        text.Append("llamagen:").Append(name).Append(' ').Append(value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
    }
}
