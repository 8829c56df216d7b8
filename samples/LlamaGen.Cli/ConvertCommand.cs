using System.CommandLine;
using LlamaGen.Conversion;

namespace LlamaGen.Cli;

/// <summary><c>llamagen convert llama2c</c>: a llama2.c checkpoint and tokenizer to one GGUF file.</summary>
internal static class ConvertCommand
{
    public static Command Create(CliContext context)
    {
        var model = new Option<string>("--model", "-m") { Description = "llama2.c checkpoint (.bin)", Required = true };
        var tokenizer = new Option<string>("--tokenizer", "-t") { Description = "llama2.c tokenizer (tokenizer.bin, tok512.bin, ...)", Required = true };
        var output = new Option<string>("--output", "-o") { Description = "GGUF file to write", Required = true };
        var llama2c = new Command("llama2c", "Convert a llama2.c checkpoint and its tokenizer to GGUF") { model, tokenizer, output };
        llama2c.SetAction(parse =>
        {
            string modelPath = parse.GetValue(model)!, tokenizerPath = parse.GetValue(tokenizer)!, outputPath = parse.GetValue(output)!;
            Program.RequireFile(modelPath, "checkpoint");
            Program.RequireFile(tokenizerPath, "tokenizer");
            Llama2CConverter.Convert(modelPath, tokenizerPath, outputPath);
            context.Stderr.WriteLine($"wrote {outputPath} ({new FileInfo(outputPath).Length} bytes)");
            return 0;
        });
        return new Command("convert", "Convert other model formats to GGUF") { llama2c };
    }
}
