using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using LlamaGen.Conversion;
using LlamaGen.Quantization;
using LlamaGen.Models;
using LlamaGen.Specs;

namespace LlamaGen.Cli;

/// <summary>
/// <c>llamagen synth</c>: a GGUF file with a spec's exact shapes and random weights, for benchmarks on real-sized models
/// (see <see cref="SyntheticModelWriter"/>).
/// </summary>
internal static class SynthCommand
{
    /// <summary>The Llama 2 vocabulary (32000 pieces) from the shared fixtures, relative to the project's checkout.</summary>
    public const string DefaultVocabulary = "../shared/fixtures/llama-2-tiny-random.gguf";

    public static Command Create(CliContext context)
    {
        var spec = new Option<string>("--spec") { Description = "Model spec JSON (e.g. specs/llama2-7b.json)", Required = true };
        var type = new Option<string>("--type")
        {
            Description = $"Weight type of every matrix ({string.Join(", ", SyntheticModelWriter.SupportedTypes.Select(GgmlTypeInfo.Name))}; " +
                          "q4_k is Q4_K throughout, unlike quantize's alias), or llama.cpp's mix q4_k_m or q5_k_m (per-tensor types as quantize chooses them)",
            Required = true,
        };
        var output = new Option<string>("--output", "-o") { Description = "GGUF file to write", Required = true };
        var vocabulary = new Option<string>("--vocab")
        {
            Description = $"GGUF file whose tokenizer (tokenizer.ggml.*) is copied; its size must equal the spec's vocab_size",
            DefaultValueFactory = _ => DefaultVocabulary,
        };
        var seed = new Option<ulong>("--seed", "-s") { Description = "Random seed of the weights", DefaultValueFactory = _ => 0 };
        var threads = new Option<int>("--threads", "-t") { Description = "Threads generating weights; 0 = one per processor", DefaultValueFactory = _ => 0 };
        var tied = new Option<bool>("--tied-embeddings")
        {
            Description = "Omit output.weight, so the token embedding is the classifier (Llama 3.2, SmolLM2)",
        };
        var llama3Rope = new Option<bool>("--llama3-rope")
        {
            Description = "Add rope_freqs.weight with Llama 3.1's factors (8, low 1, high 4, original context 8192), as llama.cpp's converter writes them",
        };

        var command = new Command("synth", "Write a GGUF model with a spec's shapes and random weights (for benchmarks)")
        {
            spec, type, output, vocabulary, seed, threads, tied, llama3Rope,
        };
        command.SetAction(parse =>
        {
            string specPath = parse.GetValue(spec)!, outputPath = parse.GetValue(output)!, vocabularyPath = parse.GetValue(vocabulary)!;
            string typeName = parse.GetValue(type)!;
            if (!SyntheticModelType.TryParse(typeName, out var weightType))
                throw new CliException($"--type: '{typeName}' is not one of {string.Join(", ", SyntheticModelType.Names)}");
            int threadCount = parse.GetValue(threads);
            if (threadCount < 0) throw new CliException($"--threads must be >= 0 (got {threadCount})");
            Program.RequireFile(specPath, "spec");
            Program.RequireFile(vocabularyPath, "vocabulary file");

            ModelShape shape = SpecJsonReader.ReadFile(specPath);
            var options = new SyntheticModelOptions
            {
                TiedEmbeddings = parse.GetValue(tied),
                RopeFrequencyFactors = parse.GetValue(llama3Rope) ? Llama3RopeScaling.Factors(shape.HeadDimension, shape.RopeFreqBase) : null,
            };
            if (weightType.Mix is not null)
            {
                // Say what the mix holds, as quantize does: which types, and why a tensor did not get the recipe's type.
                TensorQuantization[] plan;
                try { plan = SyntheticModelWriter.Plan(shape, weightType, options); }
                catch (ArgumentException e) { throw new CliException(Program.OneLine(e.Message)); }
                var counts = plan.GroupBy(p => p.To).Select(g => $"{g.Count()} {GgmlTypeInfo.Name(g.Key)}");
                context.Stderr.WriteLine($"{weightType.Name}: {plan.Length} tensors: {string.Join(", ", counts)}");
                foreach (var step in plan.Where(p => p.Fallback is not null))
                    context.Stderr.WriteLine($"  {step.Name}: {GgmlTypeInfo.Name(step.To)} ({step.Fallback})");
            }
            var clock = Stopwatch.StartNew();
            int lastTenth = 0;
            try
            {
                SyntheticModelWriter.Write(shape, weightType, vocabularyPath, outputPath, parse.GetValue(seed), threadCount,
                    (written, total) =>
                    {
                        // A 7B model takes a while: report every tenth.
                        int tenth = (int)(written * 10 / total);
                        if (tenth > lastTenth && tenth < 10)
                        {
                            lastTenth = tenth;
                            context.Stderr.WriteLine($"  {tenth * 10}% ({written >> 20} of {total >> 20} MiB, {clock.Elapsed.TotalSeconds:F1} s)");
                        }
                    },
                    context.Cancellation, options);
            }
            catch (ArgumentException e)
            {
                throw new CliException(Program.OneLine(e.Message));
            }
            catch (OperationCanceledException) when (context.Cancellation.IsCancellationRequested)
            {
                context.Stderr.WriteLine("cancelled; nothing was written");
                return Program.Cancelled;
            }
            long bytes = new FileInfo(outputPath).Length;
            double seconds = clock.Elapsed.TotalSeconds;
            context.Stderr.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"wrote {outputPath} ({shape.Name}, {weightType.Name}, {bytes} bytes) in {seconds:F1} s ({bytes / 1e6 / seconds:F0} MB/s)"));
            return 0;
        });
        return command;
    }
}
