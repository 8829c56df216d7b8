using System.CommandLine;
using System.Text;
using LlamaGen.Models;
using LlamaGen.Specs;

namespace LlamaGen.Cli;

/// <summary><c>llamagen spec from-gguf</c>: the model spec JSON (as in <c>specs/</c>) that describes a GGUF file.</summary>
internal static class SpecCommand
{
    public static Command Create(CliContext context)
    {
        var model = new Option<string>("--model", "-m") { Description = "GGUF file", Required = true };
        var name = new Option<string?>("--name") { Description = "Spec name (default: the name ModelShapeReader gives the file)" };
        var output = new Option<string?>("--output", "-o") { Description = "Write the JSON here instead of stdout" };
        var contextOption = new Option<int?>("--context")
        {
            Description = "Positions to compile (default: the file's context_length, halved until the KV cache fits the generated code's int indexing)",
        };
        var fromGguf = new Command("from-gguf", "Write the spec JSON of a GGUF file") { model, name, output, contextOption };
        fromGguf.SetAction(parse =>
        {
            string path = parse.GetValue(model)!;
            using var file = ModelFiles.Open(path);
            ModelShape shape = ModelShapeReader.FromGguf(file);
            int compilable = SpecJsonWriter.CompilableContextLength(shape);
            if (parse.GetValue(contextOption) is { } requested)
            {
                if (requested <= 0 || requested > shape.ContextLength)
                    throw new CliException($"--context must be between 1 and the file's context_length {shape.ContextLength} (got {requested})");
                shape = shape with { ContextLength = requested };
            }
            else if (compilable < shape.ContextLength)
            {
                context.Stderr.WriteLine(
                    $"{path}: context_length {shape.ContextLength} would need a KV cache beyond the generated code's int indexing; " +
                    $"the spec compiles {compilable} positions (pass --context N for fewer)");
                shape = shape with { ContextLength = compilable };
            }
            string json = SpecJsonWriter.Write(parse.GetValue(name) is { } specName ? shape with { Name = specName } : shape);
            string? outputPath = parse.GetValue(output);
            if (outputPath is null)
                context.Stdout.Write(json);
            else
                File.WriteAllText(outputPath, json, new UTF8Encoding(false));
            return 0;
        });
        return new Command("spec", "Model spec files") { fromGguf };
    }
}
