using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using LlamaGen.Tokenization;
using LlamaGen.Kernels;
using LlamaGen.Models;
using LlamaGen.Perplexity;
using LlamaGen.Threading;

namespace LlamaGen.Cli;

/// <summary>
/// <c>llamagen perplexity</c>: perplexity of a model on a text file, defined as llama.cpp's <c>llama-perplexity</c>
/// defines it (see <see cref="PerplexityEvaluator"/>). The result goes to stdout, timings to stderr.
/// </summary>
internal static class PerplexityCommand
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static Command Create(CliContext context)
    {
        var model = new Option<string>("--model", "-m") { Description = "GGUF model file (or a llama2.c checkpoint, with --tokenizer)", Required = true };
        var tokenizerFile = new Option<string?>("--tokenizer")
        {
            Description = "llama2.c tokenizer file: --model is then a llama2.c checkpoint, converted to GGUF on the fly",
        };
        var text = new Option<string>("--text", "-f")
        {
            Description = "UTF-8 text file to score; one trailing newline is dropped, as llama.cpp's -f does",
            Required = true,
        };
        var contextLength = new Option<int?>("--context", "-c")
        {
            Description = "Tokens per window, BOS included (default: the model's context length, or the whole text when shorter)",
        };
        var scoring = new Option<string>("--score")
        {
            Description = "Which tokens of each N-token window are scored: second-half (llama.cpp's: positions N/2+1..N-1) or all (positions 1..N-1)",
            DefaultValueFactory = _ => "second-half",
        };
        scoring.AcceptOnlyFromAmong("second-half", "all");
        var threads = new Option<int>("--threads", "-t")
        {
            Description = "Threads to compute with (default: one per processor)",
            DefaultValueFactory = _ => WorkerPool.DefaultThreadCount,
        };
        var json = new Option<bool>("--json") { Description = "Print one JSON object (perplexity, counts, timings) to stdout" };
        var isa = IsaOption.Create();
        var noCache = WeightCacheOption.Create();

        var command = new Command("perplexity",
            "Perplexity of a model on a text: exp of the mean negative log-likelihood of its tokens, windowed as llama-perplexity does")
        {
            model, tokenizerFile, text, contextLength, scoring, threads, isa, json,
        };
        command.SetAction(parse =>
        {
            int threadCount = parse.GetValue(threads);
            if (threadCount < 1)
                throw new CliException($"--threads must be >= 1 (got {threadCount})");
            var options = new PerplexityOptions
            {
                ContextLength = parse.GetValue(contextLength),
                Scoring = parse.GetValue(scoring) == "all" ? PerplexityScoring.All : PerplexityScoring.SecondHalf,
            };
            return Run(context, parse.GetValue(model)!, parse.GetValue(tokenizerFile), parse.GetValue(text)!, options, threadCount, parse.GetValue(json),
                IsaOption.Parse(parse.GetValue(isa)), WeightCacheOption.Mode(parse.GetValue(noCache)));
        });
        return command;
    }

    private static int Run(CliContext context, string modelPath, string? tokenizerPath, string textPath, PerplexityOptions options, int threads, bool json, KernelIsa? isa,
        WeightCacheMode weightCache = WeightCacheMode.BesideModel)
    {
        string text = ReadText(textPath);
        long loadStart = Stopwatch.GetTimestamp();
        using var file = tokenizerPath is null ? ModelFiles.Open(modelPath) : ModelFiles.OpenLlama2C(modelPath, tokenizerPath);
        ModelDescriptor descriptor = ModelFiles.Match(file);
        var tokenizer = ModelFiles.LoadTokenizer(file, context.Stderr);
        // Declared before the model, so it is disposed after it.
        using WorkerPool? pool = threads > 1 ? new WorkerPool(threads) : null;
        using ILlamaModel model = descriptor.Load(file, new ModelLoadOptions
        {
            Isa = isa, WeightCache = weightCache, WeightCacheObserver = WeightCacheOption.Reporter(context.Stderr, verbose: false),
        });
        TimeSpan loadTime = Stopwatch.GetElapsedTime(loadStart);

        PerplexityResult result;
        try
        {
            result = new PerplexityEvaluator(model, tokenizer, pool).Evaluate(text, options, context.Cancellation);
        }
        catch (OperationCanceledException) when (context.Cancellation.IsCancellationRequested)
        {
            context.Stderr.WriteLine("cancelled");
            return Program.Cancelled;
        }
        catch (ArgumentException e)
        {
            string option = e.ParamName == nameof(PerplexityOptions.ContextLength) ? "--context: " : e.ParamName == "text" ? $"--text '{textPath}': " : "";
            throw new CliException(option + Program.OneLine(e.Message));
        }

        if (json)
            WriteJson(context.Stdout, result);
        else
            context.Stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"perplexity {result.Perplexity:F4} +/- {result.StandardError:F4} over {result.TokensScored} tokens " +
                $"({result.Windows} window{(result.Windows == 1 ? "" : "s")} of {result.ContextLength} tokens, {Name(result.Scoring)} scored)"));

        TextWriter stderr = context.Stderr;
        stderr.WriteLine($"load: {loadTime.TotalMilliseconds:F1} ms ({descriptor.Shape.Name}, kernels {model.Isa}, {threads} thread(s))");
        int left = result.TextTokens - result.Windows * result.ContextLength;
        stderr.WriteLine($"text: {result.TextTokens} tokens{(left > 0 ? $", the last {left} after the last whole window not evaluated" : "")}");
        stderr.WriteLine($"evaluation: {result.TokensEvaluated} tokens in {result.EvaluationTime.TotalMilliseconds:F1} ms, {result.TokensPerSecond:F1} tokens/s");
        return 0;
    }

    private static string Name(PerplexityScoring scoring) => scoring == PerplexityScoring.All ? "all" : "second-half";

    private static void WriteJson(TextWriter stdout, PerplexityResult r) => stdout.WriteLine(JsonText.Write(writer =>
        {
            writer.WriteStartObject();
            writer.WriteNumber("perplexity", r.Perplexity);
            writer.WriteNumber("standard_error", r.StandardError);
            writer.WriteNumber("mean_nll", r.MeanNegativeLogLikelihood);
            writer.WriteNumber("tokens_scored", r.TokensScored);
            writer.WriteNumber("windows", r.Windows);
            writer.WriteNumber("context", r.ContextLength);
            writer.WriteString("scoring", Name(r.Scoring));
            writer.WriteNumber("text_tokens", r.TextTokens);
            writer.WriteNumber("tokens_evaluated", r.TokensEvaluated);
            writer.WriteNumber("seconds", r.EvaluationTime.TotalSeconds);
            writer.WriteNumber("tokens_per_second", r.TokensPerSecond);
            writer.WriteEndObject();
        }));

    // Raw bytes decoded strictly (invalid UTF-8 is an error, not silently replaced); like llama.cpp's -f, one trailing
    // '\n' is dropped so a file saved by an editor scores the same as the same text without it.
    private static string ReadText(string path)
    {
        Program.RequireFile(path, "text file");
        byte[] bytes = File.ReadAllBytes(path);
        string text;
        try
        {
            text = StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new CliException($"text file '{path}' is not valid UTF-8: {Program.OneLine(e.Message)}");
        }
        return text.EndsWith('\n') ? text[..^1] : text;
    }
}
