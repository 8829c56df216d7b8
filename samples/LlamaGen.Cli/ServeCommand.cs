using System.CommandLine;
using System.Runtime.InteropServices;
using LlamaGen.Catalog;
using LlamaGen.Conversion;
using LlamaGen.Hosting;
using LlamaGen.Inference;
using LlamaGen.Server;
using LlamaGen.Threading;

namespace LlamaGen.Cli;

/// <summary>
/// <c>llamagen serve</c>: an OpenAI-compatible HTTP server (chat, completions, embeddings, models, tokenize, metrics, a
/// web chat page) over one model. It listens at once and loads the model after, so <c>/health</c> answers 503 "loading"
/// until it is ready. One line per request goes to stderr. Ctrl+C or SIGTERM stops it.
/// </summary>
internal static class ServeCommand
{
    public static Command Create(CliContext context)
    {
        var model = new Option<string>("--model", "-m") { Description = "GGUF model file (or a llama2.c checkpoint, with --tokenizer)", Required = true };
        var tokenizerFile = new Option<string?>("--tokenizer") { Description = "llama2.c tokenizer file: --model is then a llama2.c checkpoint, converted to GGUF at start" };
        var host = new Option<string>("--host") { Description = "Address to listen on (loopback by default; 0.0.0.0 for every interface)", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "TCP port (0: any free one)", DefaultValueFactory = _ => 8080 };
        var parallel = new Option<int>("--parallel", "-np") { Description = "Requests decoded together (the engine's slots)", DefaultValueFactory = _ => 4 };
        var contextSize = new Option<int?>("--ctx-size", "-c") { Description = "Context length of each slot in tokens (default: the model's)" };
        var queue = new Option<int>("--queue") { Description = "Requests waiting beyond the slots at most; more get 503 with Retry-After", DefaultValueFactory = _ => 64 };
        var apiKey = new Option<string?>("--api-key") { Description = "Require 'Authorization: Bearer KEY' (except /health, /v1/models and the chat page)" };
        var alias = new Option<string?>("--alias", "-a") { Description = "Model id clients see (default: the model file's name)" };
        var threads = new Option<int>("--threads", "-t") { Description = "Threads to compute with (default: one per processor)", DefaultValueFactory = _ => WorkerPool.DefaultThreadCount };
        var replica = new Option<string?>("--replica-name") { Description = "Sent as the X-LlamaGen-Replica header of every response (to trace replicas behind a load balancer)" };
        var template = new Option<string?>("--template") { Description = "Jinja chat template file to use instead of the model's tokenizer.chat_template" };
        var kvType = KvCacheOption.Create();
        var isa = IsaOption.Create();
        var command = new Command("serve", "Serve a model over an OpenAI-compatible HTTP API (with a web chat page at /)")
        {
            model, tokenizerFile, host, port, parallel, contextSize, queue, apiKey, alias, threads, replica, template, kvType, isa,
        };

        command.SetAction(parse =>
        {
            int threadCount = parse.GetValue(threads);
            if (threadCount < 1) throw new CliException($"--threads must be >= 1 (got {threadCount})");
            int slots = parse.GetValue(parallel);
            if (slots < 1) throw new CliException($"--parallel must be >= 1 (got {slots})");
            int waiting = parse.GetValue(queue);
            if (waiting < 0) throw new CliException($"--queue must be >= 0 (got {waiting})");
            if (parse.GetValue(contextSize) is < 2 and int size) throw new CliException($"--ctx-size must be >= 2 (got {size})");
            int portNumber = parse.GetValue(port);
            if (portNumber is < 0 or > 65535) throw new CliException($"--port must be in [0, 65535] (got {portNumber})");
            string path = parse.GetValue(model)!;
            string? tokenizerPath = parse.GetValue(tokenizerFile);
            Program.RequireFile(path, tokenizerPath is null ? "model file" : "llama2.c checkpoint");
            if (tokenizerPath is not null) Program.RequireFile(tokenizerPath, "llama2.c tokenizer");
            if (parse.GetValue(apiKey) is { Length: 0 }) throw new CliException("--api-key must not be empty");

            var loadOptions = new LocalModelOptions
            {
                Threads = threadCount,
                KvCacheType = KvCacheOption.Parse(parse.GetValue(kvType)),
                Isa = IsaOption.Parse(parse.GetValue(isa)),
                ContextLength = parse.GetValue(contextSize),
                ChatTemplate = ChatTemplateCommand.ReadTemplate(parse.GetValue(template)),
                Engine = new InferenceEngineOptions { MaxParallel = slots, BatchCapacity = Math.Max(128, slots), MaxQueue = waiting },
            };
            var serverOptions = new ServerOptions
            {
                Host = parse.GetValue(host)!,
                Port = portNumber,
                ApiKey = parse.GetValue(apiKey),
                ModelId = parse.GetValue(alias) ?? Path.GetFileNameWithoutExtension(path),
                ReplicaName = parse.GetValue(replica),
                Log = context.Stderr,
            };
            return Run(context, serverOptions, () => Load(path, tokenizerPath, loadOptions));
        });
        return command;
    }

    private static LocalModel Load(string path, string? tokenizerPath, LocalModelOptions options)
    {
        if (tokenizerPath is null) return LocalModel.Load(path, CompiledModels.All, options);
        string temporary = Path.Combine(Path.GetTempPath(), $"llamagen-serve-{Environment.ProcessId}-{Guid.NewGuid():N}.gguf");
        try
        {
            Llama2CConverter.Convert(path, tokenizerPath, temporary);
            return LocalModel.Load(temporary, CompiledModels.All, options);
        }
        finally
        {
            // The mapping keeps the data alive once loaded (on Windows the file stays in the temp folder).
            try { File.Delete(temporary); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>
    /// A warning when full slots would need more memory than the machine has (the caches grow as slots fill, so the
    /// server would be killed mid-request rather than refuse at start); null when they fit.
    /// </summary>
    internal static string? MemoryWarning(long cacheBytes, long modelBytes, long machineBytes, int slots, int contextLength)
    {
        if (machineBytes <= 0 || cacheBytes + modelBytes <= machineBytes) return null;
        static string GiB(long bytes) => (bytes / (double)(1L << 30)).ToString("F1", System.Globalization.CultureInfo.InvariantCulture) + " GiB";
        return $"{slots} slots of {contextLength} tokens need up to {GiB(cacheBytes)} of KV cache besides the {GiB(modelBytes)} model, " +
               $"more than the {GiB(machineBytes)} of memory here: lower --parallel or --ctx-size, or use --kv-type f16";
    }

    private static int Run(CliContext context, ServerOptions options, Func<LocalModel> load)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.Cancellation);
        // SIGTERM (docker stop, a Kubernetes pod ending) stops as Ctrl+C does: streams are cut, the model freed.
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal =>
        {
            signal.Cancel = true;
            stop.Cancel();
        });
        LlamaServer server;
        try
        {
            server = LlamaServer.StartAsync(options, load, stop.Token).GetAwaiter().GetResult();
        }
        catch (IOException e)
        {
            throw new CliException($"cannot listen on {options.Host}:{options.Port}: {Program.OneLine(e.Message)}");
        }
        catch (ArgumentException e)
        {
            throw new CliException($"--host: {Program.OneLine(e.Message)}");
        }
        try
        {
            context.Stderr.WriteLine($"serve: listening on {server.BaseAddress} (model '{options.ModelId}' loading; /health answers 503 until it is ready)");
            try
            {
                LocalModel local = server.Model.Loading.GetAwaiter().GetResult();
                context.Stderr.WriteLine($"serve: {local.Model.Shape.Name} ready in {local.LoadTime.TotalSeconds:F1} s: {local.Engine.Options.MaxParallel} slots of " +
                                         $"{local.Engine.ContextLength} tokens, queue {local.Engine.Options.MaxQueue}; chat page at {server.BaseAddress}");
                foreach (string warning in local.Tokenizer.Warnings) context.Stderr.WriteLine($"warning: {warning}");
                string? memory = MemoryWarning(local.KvCacheBytesAtMost, local.File.FileLength, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes,
                                               local.Engine.Options.MaxParallel, local.Engine.ContextLength);
                if (memory is not null) context.Stderr.WriteLine($"warning: {memory}");
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                context.Stderr.WriteLine($"error: the model failed to load: {Program.OneLine(e.Message)}");
                return Program.UserError;
            }
            stop.Token.WaitHandle.WaitOne();
            context.Stderr.WriteLine("serve: stopping");
            return 0;
        }
        finally
        {
            server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }
}
