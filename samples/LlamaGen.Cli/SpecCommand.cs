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
        var fromGguf = new Command("from-gguf", "Write the spec JSON of a GGUF file") { model, name, output };
        fromGguf.SetAction(parse =>
        {
            string path = parse.GetValue(model)!;
            using var file = ModelFiles.Open(path);
            ModelShape shape = ModelShapeReader.FromGguf(file);
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
