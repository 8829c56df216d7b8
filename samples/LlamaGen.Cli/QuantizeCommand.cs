using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using LlamaGen.Conversion;
using LlamaGen.Quantization;

namespace LlamaGen.Cli;

/// <summary>
/// <c>llamagen quantize</c>: a GGUF model (F32/F16/BF16 weights) to a quantized one with llama.cpp's per-tensor recipe
/// and bit-exact quantizers (see <see cref="GgufQuantizer"/>). One line per tensor on stderr, as llama-quantize prints.
/// </summary>
internal static class QuantizeCommand
{
    public static Command Create(CliContext context)
    {
        var input = new Option<string>("--input", "-i") { Description = "GGUF model to quantize (F32, F16 or BF16 weights)", Required = true };
        var output = new Option<string>("--output", "-o") { Description = "GGUF file to write", Required = true };
        var type = new Option<string>("--type")
        {
            Description = $"llama-quantize type: {string.Join(", ", QuantizationRecipe.TypeNames)} (q3_k, q4_k, q5_k are aliases of the _m mixes)",
            Required = true,
        };
        var force = new Option<bool>("--force", "-f") { Description = "Overwrite the output file if it exists" };
        var pure = new Option<bool>("--pure") { Description = "No k-quant mixture: every quantizable tensor gets the type's default (as llama-quantize --pure)" };
        var requantize = new Option<bool>("--allow-requantize") { Description = "Accept already quantized tensors (dequantized and quantized again; loses quality)" };
        var threads = new Option<int>("--threads", "-t") { Description = "Threads quantizing rows; 0 = one per processor", DefaultValueFactory = _ => 0 };

        var command = new Command("quantize", "Quantize a GGUF model with llama.cpp's recipes (q4_0 ... q8_0, q2_k ... q6_k, q4_k_m, q5_k_m)")
        {
            input, output, type, force, pure, requantize, threads,
        };
        command.SetAction(parse =>
        {
            string inputPath = parse.GetValue(input)!, outputPath = parse.GetValue(output)!, typeName = parse.GetValue(type)!;
            if (!QuantizationRecipe.TryParse(typeName, out var fileType))
                throw new CliException($"--type: '{typeName}' is not one of {string.Join(", ", QuantizationRecipe.TypeNames)}");
            int threadCount = parse.GetValue(threads);
            if (threadCount < 0) throw new CliException($"--threads must be >= 0 (got {threadCount})");
            Program.RequireFile(inputPath, "input model");
            if (Path.GetFullPath(inputPath) == Path.GetFullPath(outputPath))
                throw new CliException($"--output '{outputPath}' is the input file; write the quantized model to another path");
            if (Directory.Exists(outputPath))
                throw new CliException($"--output '{outputPath}' is a directory, not a file");
            if (File.Exists(outputPath) && !parse.GetValue(force))
                throw new CliException($"output '{outputPath}' already exists; pass --force to overwrite it");

            var options = new GgufQuantizeOptions(fileType)
            {
                Pure = parse.GetValue(pure),
                AllowRequantize = parse.GetValue(requantize),
                Overwrite = true, // checked above, with the option's name in the message
                Threads = threadCount,
            };
            var clock = Stopwatch.StartNew();
            TensorQuantization[] plan;
            try
            {
                plan = GgufQuantizer.Quantize(inputPath, outputPath, options, p =>
                {
                    if (p.BytesWritten != p.BytesTotal) return;
                    int width = p.TensorCount.ToString(CultureInfo.InvariantCulture).Length;
                    string index = (p.TensorIndex + 1).ToString(CultureInfo.InvariantCulture).PadLeft(width);
                    string change = p.Plan.From == p.Plan.To
                        ? $"{GgmlTypeInfo.Name(p.Plan.From)} (copied)"
                        : $"{GgmlTypeInfo.Name(p.Plan.From)} -> {GgmlTypeInfo.Name(p.Plan.To)}";
                    string fallback = p.Plan.Fallback is null ? "" : $" (fallback: {p.Plan.Fallback})";
                    context.Stderr.WriteLine($"[{index}/{p.TensorCount}] {p.Input.Name,-32} {p.Input.ShapeText,-14} {change}{fallback}");
                }, context.Cancellation);
            }
            catch (OperationCanceledException) when (context.Cancellation.IsCancellationRequested)
            {
                context.Stderr.WriteLine("cancelled; nothing was written");
                return Program.Cancelled;
            }
            catch (IOException e) when (e is not (FileNotFoundException or DirectoryNotFoundException))
            {
                throw new CliException($"{outputPath}: {Program.OneLine(e.Message)}");
            }

            long inBytes = new FileInfo(inputPath).Length, outBytes = new FileInfo(outputPath).Length;
            string counts = string.Join(", ", plan.GroupBy(t => t.To).OrderByDescending(g => g.Count())
                .Select(g => $"{g.Count()} {GgmlTypeInfo.Name(g.Key)}"));
            int fallbacks = plan.Count(t => t.Fallback is not null);
            context.Stderr.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"wrote {outputPath} ({QuantizationRecipe.Name(fileType)}: {counts}; {inBytes / 1048576.0:F2} MiB -> {outBytes / 1048576.0:F2} MiB) in {clock.Elapsed.TotalSeconds:F1} s"));
            if (fallbacks > 0)
                context.Stderr.WriteLine($"warning: {fallbacks} of {plan.Length} tensors needed a fallback type (row length not a whole number of blocks)");
            return 0;
        });
        return command;
    }
}
