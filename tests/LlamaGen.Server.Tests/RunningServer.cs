using System.Net.Http.Headers;
using LlamaGen.Hosting;
using LlamaGen.Inference;
using LlamaGen.TestModels;
using LlamaGen.TestSupport.Models;

namespace LlamaGen.Server.Tests;

/// <summary>
/// A <see cref="LlamaServer"/> in this process on a free loopback port (Kestrel, a real socket, so real clients can
/// reach it), serving llama-2-tiny-random with the Llama 2-Chat template; its request log is kept for the tests.
/// </summary>
public sealed class RunningServer : IAsyncDisposable
{
    public const string ModelId = "tiny-chat";

    private RunningServer(LlamaServer server, StringWriter log, TextWriter synchronizedLog, string? apiKey)
    {
        Server = server;
        LogWriter = log;
        SynchronizedLog = synchronizedLog;
        Http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (apiKey is not null) Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
    }

    public LlamaServer Server { get; }

    public HttpClient Http { get; }

    public Uri BaseAddress => Server.BaseAddress;

    public int Port => Server.Port;

    /// <summary>The OpenAI endpoint clients are given: the base address with /v1.</summary>
    public Uri OpenAIEndpoint => new(Server.BaseAddress, "v1");

    private StringWriter LogWriter { get; }

    // TextWriter.Synchronized locks the wrapper it returns: reads take the same lock.
    private TextWriter SynchronizedLog { get; }

    public string Log
    {
        get
        {
            lock (SynchronizedLog) return LogWriter.ToString();
        }
    }

    /// <summary>The loaded model (waits for it).</summary>
    public LocalModel Local => Server.Model.Loading.GetAwaiter().GetResult();

    /// <param name="load">Loads the model instead of the default (to delay or fail it).</param>
    public static async Task<RunningServer> StartAsync(int parallel = 4, int? queue = null, int contextLength = 512, string? apiKey = null,
        string? replica = null, Func<LocalModel>? load = null, bool waitReady = true)
    {
        var log = new StringWriter();
        TextWriter synchronizedLog = TextWriter.Synchronized(log);
        var options = new ServerOptions
        {
            Host = "127.0.0.1",
            Port = 0,
            ApiKey = apiKey,
            ModelId = ModelId,
            ReplicaName = replica,
            Log = synchronizedLog,
        };
        load ??= () => LoadTinyChat(parallel, queue, contextLength);
        LlamaServer server = await LlamaServer.StartAsync(options, load);
        var running = new RunningServer(server, log, synchronizedLog, apiKey);
        if (waitReady) await server.Model.Loading.WaitAsync(TimeSpan.FromSeconds(30));
        return running;
    }

    public static LocalModel LoadTinyChat(int parallel = 4, int? queue = null, int contextLength = 512) =>
        LocalModel.Load(TinyChatGguf.Path, TestModelCatalog.All, new LocalModelOptions
        {
            Threads = 1,
            ContextLength = contextLength,
            Engine = new InferenceEngineOptions { MaxParallel = parallel, BatchCapacity = 64, PromptChunk = 32, MaxQueue = queue },
        });

    /// <summary>One metric's value from <c>/metrics</c>.</summary>
    public async Task<double> MetricAsync(string name)
    {
        string text = await Http.GetStringAsync("/metrics");
        return Metrics.Value(text, name);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
    }
}
