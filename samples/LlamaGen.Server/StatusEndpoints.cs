using LlamaGen.Hosting;
using Microsoft.AspNetCore.Http;

namespace LlamaGen.Server;

/// <summary><c>GET /health</c> (load balancers' readiness probe) and <c>GET /v1/models</c>; both open without an API key.</summary>
internal static class StatusEndpoints
{
    /// <summary>200 <c>{"status":"ok"}</c> once the model is loaded; 503 <c>{"status":"loading"}</c> before, 500 <c>{"status":"error"}</c> if it failed.</summary>
    public static Task HealthAsync(HttpContext context, ServedModel served, ServerOptions options)
    {
        if (served.IsReady)
        {
            LocalModel local = served.Loading.Result;
            var statistics = local.Engine.Statistics;
            return JsonResponses.WriteAsync(context, 200, writer =>
            {
                writer.WriteStartObject();
                writer.WriteString("status", "ok");
                writer.WriteNumber("slots_idle", Math.Max(0, local.Engine.Options.MaxParallel - statistics.Processing));
                writer.WriteNumber("slots_processing", statistics.Processing);
                writer.WriteNumber("requests_queued", statistics.Queued);
                writer.WriteEndObject();
            });
        }
        if (served.Failure is { } failure)
        {
            return JsonResponses.WriteAsync(context, 500, writer =>
            {
                writer.WriteStartObject();
                writer.WriteString("status", "error");
                writer.WriteString("message", $"The model failed to load: {failure}");
                writer.WriteEndObject();
            });
        }
        context.Response.Headers.RetryAfter = options.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return JsonResponses.WriteAsync(context, 503, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("status", "loading");
            writer.WriteString("message", "Loading model");
            writer.WriteEndObject();
        });
    }

    /// <summary>OpenAI's model list: the one model this server serves.</summary>
    public static Task ModelsAsync(HttpContext context, ServedModel served, ServerOptions options, long created) =>
        JsonResponses.WriteAsync(context, 200, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("object", "list");
            writer.WriteStartArray("data");
            writer.WriteStartObject();
            writer.WriteString("id", options.ModelId);
            writer.WriteString("object", "model");
            writer.WriteNumber("created", created);
            writer.WriteString("owned_by", "llamagen");
            if (served.IsReady)
            {
                LocalModel local = served.Loading.Result;
                writer.WriteStartObject("meta");
                writer.WriteString("architecture", local.Model.Shape.Name);
                writer.WriteNumber("n_vocab", local.Model.Shape.VocabSize);
                writer.WriteNumber("n_ctx", local.Engine.ContextLength);
                writer.WriteNumber("n_embd", local.Model.Shape.EmbeddingLength);
                writer.WriteEndObject();
            }
            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteEndObject();
        });
}
