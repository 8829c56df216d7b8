using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using LlamaGen.Inference;
using LlamaGen.Sampling;
using LlamaGen.Tokenization;
using LlamaGen.Compute;
using LlamaGen.Kernels;
using LlamaGen.Models;
using LlamaGen.Threading;

namespace LlamaGen.Cli;

/// <summary><c>llamagen generate</c>: streams generated text to stdout, statistics to stderr.</summary>
internal static class GenerateCommand
{
    public static Command Create(CliContext context)
    {
        var model = new Option<string>("--model", "-m") { Description = "GGUF model file (or a llama2.c checkpoint, with --tokenizer)", Required = true };
        var tokenizerFile = new Option<string?>("--tokenizer")
        {
            Description = "llama2.c tokenizer file: --model is then a llama2.c checkpoint, converted to GGUF on the fly",
        };
        var prompt = new Option<string>("--prompt", "-p")
        {
            Description = "Prompt text; empty (the default) starts from BOS alone",
            DefaultValueFactory = _ => "",
        };
        // llama.cpp generates without limit by default; generate stops at 256 tokens.
        var sampling = new SamplingOptions(defaultMaxTokens: 256);
        var threads = new Option<int>("--threads", "-t")
        {
            Description = "Threads to compute with (default: one per processor)",
            DefaultValueFactory = _ => WorkerPool.DefaultThreadCount,
        };
        var printIds = new Option<bool>("--print-ids")
        {
            Description = "Print the generated token ids (not the prompt's, nor a final end-of-sequence token) separated by spaces, then a newline, instead of text",
        };
        var kvType = KvCacheOption.Create();
        var isa = IsaOption.Create();
        var noCache = WeightCacheOption.Create();
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Print the model, the sampler settings, the seed, the kernel ISA and CPU features to stderr" };

        var command = new Command("generate", "Generate text from a prompt; the text goes to stdout, statistics to stderr")
        {
            model, tokenizerFile, prompt, threads, printIds, kvType, isa, noCache, verbose,
        };
        foreach (Option option in sampling.All) command.Options.Add(option);

        command.SetAction(parse =>
        {
            int threadCount = parse.GetValue(threads);
            if (threadCount < 1)
                throw new CliException($"--threads must be >= 1 (got {threadCount})");
            GenerationOptions options = sampling.Read(parse);

            return Run(context, parse.GetValue(model)!, parse.GetValue(tokenizerFile), parse.GetValue(prompt) ?? "", options, threadCount, parse.GetValue(printIds), parse.GetValue(verbose),
                KvCacheOption.Parse(parse.GetValue(kvType)), IsaOption.Parse(parse.GetValue(isa)), WeightCacheOption.Mode(parse.GetValue(noCache)));
        });
        return command;
    }

    private static int Run(CliContext context, string modelPath, string? tokenizerPath, string prompt, GenerationOptions options, int threads, bool printIds, bool verbose,
        KvCacheType kvCacheType = KvCacheType.F32, KernelIsa? isa = null, WeightCacheMode weightCache = WeightCacheMode.BesideModel)
    {
        TextWriter stdout = context.Stdout, stderr = context.Stderr;
        long loadStart = Stopwatch.GetTimestamp();
        using var file = tokenizerPath is null ? ModelFiles.Open(modelPath) : ModelFiles.OpenLlama2C(modelPath, tokenizerPath);
        ModelDescriptor descriptor = ModelFiles.Match(file);
        var tokenizer = ModelFiles.LoadTokenizer(file, context.Stderr);
        // Declared before the model, so it is disposed after it.
        using WorkerPool? pool = threads > 1 ? new WorkerPool(threads) : null;
        using ILlamaModel model = descriptor.Load(file, new ModelLoadOptions
        {
            KvCacheType = kvCacheType, Isa = isa, WeightCache = weightCache, WeightCacheObserver = WeightCacheOption.Reporter(stderr, verbose),
        });
        TimeSpan loadTime = Stopwatch.GetElapsedTime(loadStart);

        using var generator = new TextGenerator(model, tokenizer, pool);
        GenerationRun run;
        try
        {
            run = generator.Start(prompt, options, context.Cancellation);
        }
        catch (ArgumentException e)
        {
            throw new CliException(Program.OneLine(e.Message));
        }

        if (verbose)
        {
            var s = options.Sampling;
            stderr.WriteLine($"model: {modelPath} -> {descriptor.TypeName} (spec {descriptor.SpecPath})");
            stderr.WriteLine($"sampler: temperature {s.Temperature}, top-k {s.TopK}, top-p {s.TopP}, min-p {s.MinP}, " +
                             $"repeat-penalty {s.RepetitionPenalty} over {s.RepetitionWindow}, seed {run.Seed}");
            stderr.WriteLine($"prompt: {run.PromptTokens.Count} tokens: {string.Join(' ', run.PromptTokens)}");
            CpuReport.Write(stderr, model.Isa);
            stderr.WriteLine($"model loaded in {loadTime.TotalMilliseconds:F1} ms (map, match, tokenizer, bind)");
        }

        bool firstId = true;
        foreach (var token in run)
        {
            if (printIds)
            {
                // The ids of run.GeneratedTokens: a final EOS/BOS only ends the run, as it ends the text.
                if (token.IsEndOfSequence)
                    continue;
                if (!firstId)
                    stdout.Write(' ');
                stdout.Write(token.Id.ToString(CultureInfo.InvariantCulture));
                stdout.Flush();
                firstId = false;
            }
            else if (token.Text.Length > 0)
            {
                stdout.Write(token.Text);
                stdout.Flush();
            }
        }
        if (printIds)
            stdout.Write('\n');
        stdout.Flush();

        var stats = run.Statistics;
        // Statistics start on a fresh line when both streams share a terminal.
        stderr.WriteLine();
        stderr.WriteLine($"load: {loadTime.TotalMilliseconds:F1} ms ({descriptor.Shape.Name}, kernels {model.Isa}, {threads} thread(s))");
        stderr.WriteLine($"prompt: {stats.PromptTokens} tokens in {stats.PromptEvalTime.TotalMilliseconds:F1} ms, {stats.PromptTokensPerSecond:F1} tokens/s");
        stderr.WriteLine($"generation: {stats.GeneratedTokens} tokens in {stats.GenerationTime.TotalMilliseconds:F1} ms, {stats.GenerationTokensPerSecond:F1} tokens/s");
        stderr.WriteLine($"stopped: {Describe(run.StopReason)}");
        return run.StopReason == StopReason.Cancelled ? Program.Cancelled : 0;
    }

    private static string Describe(StopReason? reason) => reason switch
    {
        StopReason.EndOfSequence => "end of sequence",
        StopReason.MaxTokens => "--max-tokens reached",
        StopReason.ContextFull => "context length reached",
        StopReason.StopString => "stop string",
        StopReason.Cancelled => "cancelled",
        _ => "unknown",
    };
}
