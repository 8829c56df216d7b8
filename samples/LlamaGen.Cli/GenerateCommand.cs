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
    // Defaults follow llama.cpp's common sampler (temperature 0.8, top-k 40, top-p 0.95, min-p 0.05, no repetition
    // penalty over a 64-token window); llama.cpp generates without limit by default, we stop at 256 tokens.
    private const float DefaultTemperature = 0.8f;
    private const int DefaultTopK = 40;
    private const float DefaultTopP = 0.95f;
    private const float DefaultMinP = 0.05f;
    private const float DefaultRepeatPenalty = 1.0f;
    private const int DefaultRepeatLastN = 64;
    private const int DefaultMaxTokens = 256;

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
        var maxTokens = new Option<int>("--max-tokens", "-n")
        {
            Description = "Tokens to generate at most; -1 = until EOS or the context is full",
            DefaultValueFactory = _ => DefaultMaxTokens,
        };
        var temperature = new Option<float>("--temperature", "--temp")
        {
            Description = "Sampling temperature; 0 = greedy",
            DefaultValueFactory = _ => DefaultTemperature,
        };
        var topK = new Option<int>("--top-k") { Description = "Keep the K most likely tokens; 0 = off", DefaultValueFactory = _ => DefaultTopK };
        var topP = new Option<float>("--top-p") { Description = "Nucleus sampling threshold in (0, 1]; 1 = off", DefaultValueFactory = _ => DefaultTopP };
        var minP = new Option<float>("--min-p") { Description = "Drop tokens below min-p x the top probability; 0 = off", DefaultValueFactory = _ => DefaultMinP };
        var repeatPenalty = new Option<float>("--repeat-penalty") { Description = "Penalty for tokens in the last --repeat-last-n; 1 = off", DefaultValueFactory = _ => DefaultRepeatPenalty };
        var repeatLastN = new Option<int>("--repeat-last-n") { Description = "Tokens the repetition penalty looks back over", DefaultValueFactory = _ => DefaultRepeatLastN };
        var seed = new Option<ulong?>("--seed", "-s") { Description = "Random seed (default: a random one, printed with --verbose)" };
        var stop = new Option<string[]>("--stop") { Description = "Stop when the text contains this string (repeatable)", AllowMultipleArgumentsPerToken = false };
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
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Print the model, the sampler settings, the seed, the kernel ISA and CPU features to stderr" };

        var command = new Command("generate", "Generate text from a prompt; the text goes to stdout, statistics to stderr")
        {
            model, tokenizerFile, prompt, maxTokens, temperature, topK, topP, minP, repeatPenalty, repeatLastN, seed, stop, threads, printIds, kvType, isa, verbose,
        };

        command.SetAction(parse =>
        {
            int max = parse.GetValue(maxTokens);
            int threadCount = parse.GetValue(threads);
            if (threadCount < 1)
                throw new CliException($"--threads must be >= 1 (got {threadCount})");
            if (max < -1)
                throw new CliException($"--max-tokens must be >= 0, or -1 for no limit (got {max})");

            var sampling = new SamplerOptions
            {
                Temperature = parse.GetValue(temperature),
                TopK = parse.GetValue(topK),
                TopP = parse.GetValue(topP),
                MinP = parse.GetValue(minP),
                RepetitionPenalty = parse.GetValue(repeatPenalty),
                RepetitionWindow = parse.GetValue(repeatLastN),
                Seed = parse.GetValue(seed),
            };
            var options = new GenerationOptions
            {
                MaxNewTokens = max == -1 ? int.MaxValue : max,
                Sampling = sampling,
                StopStrings = parse.GetValue(stop) ?? [],
            };
            ValidateOptions(options);

            return Run(context, parse.GetValue(model)!, parse.GetValue(tokenizerFile), parse.GetValue(prompt) ?? "", options, threadCount, parse.GetValue(printIds), parse.GetValue(verbose),
                KvCacheOption.Parse(parse.GetValue(kvType)), IsaOption.Parse(parse.GetValue(isa)));
        });
        return command;
    }

    private static int Run(CliContext context, string modelPath, string? tokenizerPath, string prompt, GenerationOptions options, int threads, bool printIds, bool verbose,
        KvCacheType kvCacheType = KvCacheType.F32, KernelIsa? isa = null)
    {
        TextWriter stdout = context.Stdout, stderr = context.Stderr;
        long loadStart = Stopwatch.GetTimestamp();
        using var file = tokenizerPath is null ? ModelFiles.Open(modelPath) : ModelFiles.OpenLlama2C(modelPath, tokenizerPath);
        ModelDescriptor descriptor = ModelFiles.Match(file);
        var tokenizer = ModelFiles.LoadTokenizer(file, context.Stderr);
        // Declared before the model, so it is disposed after it.
        using WorkerPool? pool = threads > 1 ? new WorkerPool(threads) : null;
        using ILlamaModel model = descriptor.Load(file, new ModelLoadOptions { KvCacheType = kvCacheType, Isa = isa });
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

    private static void ValidateOptions(GenerationOptions options)
    {
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            string option = e.ParamName switch
            {
                nameof(SamplerOptions.Temperature) => "--temperature",
                nameof(SamplerOptions.TopK) => "--top-k",
                nameof(SamplerOptions.TopP) => "--top-p",
                nameof(SamplerOptions.MinP) => "--min-p",
                nameof(SamplerOptions.RepetitionPenalty) => "--repeat-penalty",
                nameof(SamplerOptions.RepetitionWindow) => "--repeat-last-n",
                nameof(GenerationOptions.StopStrings) => "--stop",
                _ => e.ParamName ?? "option",
            };
            string got = e is ArgumentOutOfRangeException { ActualValue: { } value } ? $" (got {value})" : "";
            throw new CliException($"{option}: {Program.OneLine(e.Message)}{got}");
        }
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
