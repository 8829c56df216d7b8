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

    /// <summary>GPT-2's byte-level BPE vocabulary from the shared fixtures: the default source of <c>--llama3-vocab</c>.</summary>
    public const string DefaultBpeVocabulary = "../shared/fixtures/vocab/ggml-vocab-gpt-2.gguf";

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
        var vocabulary = new Option<string?>("--vocab")
        {
            Description = $"GGUF file whose tokenizer (tokenizer.ggml.*) is copied; its size must equal the spec's vocab_size " +
                          $"(default {DefaultVocabulary}; with --llama3-vocab, {DefaultBpeVocabulary})",
        };
        var llama3Vocabulary = new Option<bool>("--llama3-vocab")
        {
            Description = "Make a Llama 3 style tokenizer from --vocab (a byte-level BPE vocabulary): llama-bpe pre-tokenizer, " +
                          "grown to the spec's vocab_size with Llama 3's 256 special tokens at its end (128000 onwards at 128256)",
        };
        var chatTemplate = new Option<string?>("--chat-template")
        {
            Description = "With --llama3-vocab: a Jinja file written as tokenizer.chat_template",
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
            spec, type, output, vocabulary, llama3Vocabulary, chatTemplate, seed, threads, tied, llama3Rope,
        };
        command.SetAction(parse =>
        {
            bool llama3 = parse.GetValue(llama3Vocabulary);
            string specPath = parse.GetValue(spec)!, outputPath = parse.GetValue(output)!;
            string vocabularyPath = parse.GetValue(vocabulary) ?? (llama3 ? DefaultBpeVocabulary : DefaultVocabulary);
            string? templatePath = parse.GetValue(chatTemplate);
            if (templatePath is not null && !llama3) throw new CliException("--chat-template needs --llama3-vocab (otherwise the --vocab file's template is copied)");
            if (templatePath is not null) Program.RequireFile(templatePath, "chat template");
            string typeName = parse.GetValue(type)!;
            if (!SyntheticModelType.TryParse(typeName, out var weightType))
                throw new CliException($"--type: '{typeName}' is not one of {string.Join(", ", SyntheticModelType.Names)}");
            int threadCount = parse.GetValue(threads);
            if (threadCount < 0) throw new CliException($"--threads must be >= 0 (got {threadCount})");
            Program.RequireFile(specPath, "spec");
            Program.RequireFile(vocabularyPath, "vocabulary file");

            ModelShape shape = SpecJsonReader.ReadFile(specPath);
            string? madeVocabulary = null;
            if (llama3)
            {
                madeVocabulary = Path.Combine(Path.GetTempPath(), $"llamagen-synth-vocab-{Environment.ProcessId}.gguf");
                int firstSpecial;
                try
                {
                    firstSpecial = Llama3StyleVocabulary.Write(vocabularyPath, shape.VocabSize, madeVocabulary,
                        templatePath is null ? null : File.ReadAllText(templatePath));
                }
                catch (ModelMismatchException e)
                {
                    File.Delete(madeVocabulary);
                    throw new CliException(Program.OneLine(e.Message));
                }
                context.Stderr.WriteLine($"--llama3-vocab: {shape.VocabSize} tokens from {vocabularyPath}, special tokens from {firstSpecial}");
                vocabularyPath = madeVocabulary;
            }
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
            finally
            {
                if (madeVocabulary is not null) File.Delete(madeVocabulary);
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
