using System.Diagnostics;
using System.Net;
using LlamaGen.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LlamaGen.Server;

/// <summary>
/// An OpenAI-compatible HTTP server over one <see cref="LocalModel"/>'s <see cref="Inference.InferenceEngine"/>: Kestrel
/// and minimal APIs, handlers that only parse, enqueue and stream (the engine owns the slots and the batched step, as
/// llama.cpp's server loop does). It listens first and loads the model after, so probes see "loading" at once.
/// </summary>
public sealed class LlamaServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private bool disposed;

    private LlamaServer(WebApplication app, ServedModel model, ServerOptions options, Uri address)
    {
        this.app = app;
        Model = model;
        Options = options;
        BaseAddress = address;
    }

    public ServedModel Model { get; }

    public ServerOptions Options { get; }

    /// <summary>Where the server listens, e.g. http://127.0.0.1:8080/.</summary>
    public Uri BaseAddress { get; }

    public int Port => BaseAddress.Port;

    /// <summary>Binds <see cref="ServerOptions.Host"/>:<see cref="ServerOptions.Port"/>, then loads the model with <paramref name="load"/> in the background.</summary>
    public static async Task<LlamaServer> StartAsync(ServerOptions options, Func<LocalModel> load, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(load);
        options.Validate();
        IPAddress address = ParseHost(options.Host);

        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        // The request log below is the server's output; ASP.NET Core's own console logging would double it.
        builder.Logging.ClearProviders();
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(2));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes;
            kestrel.Listen(address, options.Port);
        });
        WebApplication app = builder.Build();
        var model = new ServedModel();
        Configure(app, model, options);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);

        string bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var server = new LlamaServer(app, model, options, new Uri(bound.EndsWith('/') ? bound : bound + "/"));
        model.Begin(load);
        return server;
    }

    private static IPAddress ParseHost(string host)
    {
        if (host == "localhost") return IPAddress.Loopback;
        if (IPAddress.TryParse(host.Trim('[', ']'), out IPAddress? address)) return address;
        throw new ArgumentException($"Host '{host}' is not an IP address (use 127.0.0.1, ::1, 0.0.0.0 or localhost).", "host");
    }

    private static void Configure(WebApplication app, ServedModel model, ServerOptions options)
    {
        var log = new RequestLog(options.Log);
        ApiKeyCheck? keys = options.ApiKey is { } key ? new ApiKeyCheck(key) : null;
        long created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        // Errors, the replica header, the key check and the request log, around every endpoint.
        app.Use(async (HttpContext context, RequestDelegate next) =>
        {
            long start = Stopwatch.GetTimestamp();
            var usage = new RequestUsage();
            context.Features.Set(usage);
            if (options.ReplicaName is { } replica) context.Response.Headers["X-LlamaGen-Replica"] = replica;
            int? status = null;
            try
            {
                keys?.Check(context);
                await next(context).ConfigureAwait(false);
            }
            catch (Exception e) when (context.RequestAborted.IsCancellationRequested && e is OperationCanceledException or IOException)
            {
                status = 499; // nginx's "client closed request": nobody reads an answer
            }
            catch (Exception e) when (!context.Response.HasStarted)
            {
                ApiException error = e switch
                {
                    ApiException api => api,
                    BadHttpRequestException bad => new ApiException(bad.StatusCode, "invalid_request_error", bad.Message),
                    _ => new ApiException(500, "server_error", $"{e.GetType().Name}: {e.Message}"),
                };
                await JsonResponses.WriteErrorAsync(context, error).ConfigureAwait(false);
            }
            log.Write(context, status ?? (usage.ClientClosed ? 499 : context.Response.StatusCode), usage, start);
        });

        RequestDelegate chat = context => ChatCompletionsEndpoint.HandleAsync(context, model, options);
        RequestDelegate completions = context => CompletionsEndpoint.HandleAsync(context, model, options);
        RequestDelegate embeddings = context => EmbeddingsEndpoint.HandleAsync(context, model, options);
        RequestDelegate models = context => StatusEndpoints.ModelsAsync(context, model, options, created);
        RequestDelegate health = context => StatusEndpoints.HealthAsync(context, model, options);
        // OpenAI's paths, and llama.cpp's aliases without /v1.
        app.MapPost("/v1/chat/completions", chat);
        app.MapPost("/chat/completions", chat);
        app.MapPost("/v1/completions", completions);
        app.MapPost("/completions", completions);
        app.MapPost("/v1/embeddings", embeddings);
        app.MapPost("/embeddings", embeddings);
        app.MapGet("/v1/models", models);
        app.MapGet("/models", models);
        app.MapGet("/health", health);
        app.MapGet("/v1/health", health);
        app.MapPost("/tokenize", context => TokenizeEndpoints.TokenizeAsync(context, model, options));
        app.MapPost("/detokenize", context => TokenizeEndpoints.DetokenizeAsync(context, model, options));
        app.MapGet("/metrics", context => MetricsEndpoint.HandleAsync(context, model, options));
        app.MapGet("/", ChatPageEndpoint.HandleAsync);
        // What routing did not match: a known path asked with another method (405, naming the one it takes), or none (404).
        var methods = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (Endpoint endpoint in ((IEndpointRouteBuilder)app).DataSources.SelectMany(static source => source.Endpoints))
        {
            if (endpoint is RouteEndpoint { RoutePattern.RawText: { } pattern } route && route.Metadata.GetMetadata<IHttpMethodMetadata>() is { } metadata)
                methods[pattern] = string.Join(", ", metadata.HttpMethods);
        }
        app.MapFallback(context => throw (methods.TryGetValue(context.Request.Path.Value ?? "", out string? allowed)
            ? new ApiException(405, "invalid_request_error", $"{context.Request.Method} {context.Request.Path}: method not allowed; use {allowed}.")
            : new ApiException(404, "not_found_error", $"{context.Request.Method} {context.Request.Path}: no such endpoint.")));
    }

    /// <summary>Stops listening (open streams are cut after two seconds), then frees the model.</summary>
    public async ValueTask DisposeAsync()
    {
        if (disposed) return;
        disposed = true;
        await app.StopAsync().ConfigureAwait(false);
        await app.DisposeAsync().ConfigureAwait(false);
        Model.Dispose();
    }
}
