using System.CommandLine;
using System.Globalization;
using LlamaGen.Gguf;
using LlamaGen.Quantization;

namespace LlamaGen.Cli;

/// <summary><c>llamagen info</c>: what a GGUF file holds and which compiled model runs it.</summary>
internal static class InfoCommand
{
    private const int ArrayPreview = 5;
    private const int StringPreview = 60;

    public static Command Create(CliContext context)
    {
        var model = new Option<string>("--model", "-m") { Description = "GGUF file", Required = true };
        var command = new Command("info", "Print a GGUF file's version, metadata, tensors and the compiled model that matches it") { model };
        command.SetAction(parse =>
        {
            using var file = ModelFiles.Open(parse.GetValue(model)!);
            Write(file, context.Stdout);
            return 0;
        });
        return command;
    }

    private static void Write(GgufFile file, TextWriter output)
    {
        output.WriteLine($"file: {file.Path}");
        output.WriteLine($"gguf version: {file.Version}");
        output.WriteLine($"tensor data offset: {file.DataOffset}");
        output.WriteLine();
        output.WriteLine($"metadata ({file.Metadata.Count} keys):");
        foreach (var entry in file.Metadata)
            output.WriteLine($"  {entry.Key} = {Format(entry.Value)}");

        output.WriteLine();
        output.WriteLine($"tensors ({file.Tensors.Count}):");
        int nameWidth = Math.Max(4, file.Tensors.Count == 0 ? 0 : file.Tensors.Max(t => t.Name.Length));
        output.WriteLine($"  {"name".PadRight(nameWidth)}  {"type",-6}  {"dims",-20}  {"offset",12}  {"bytes",12}");
        foreach (var tensor in file.Tensors)
        {
            string dims = "[" + string.Join(", ", tensor.Dimensions) + "]";
            output.WriteLine($"  {tensor.Name.PadRight(nameWidth)}  {GgmlTypeInfo.Name(tensor.Type),-6}  {dims,-20}  {tensor.Offset,12}  {tensor.ByteLength,12}");
        }

        output.WriteLine();
        output.WriteLine(ModelFiles.TryMatch(file, out var descriptor, out string reason)
            ? $"compiled model: {descriptor.TypeName} (spec {descriptor.SpecPath})"
            : $"compiled model: none. {reason}");
    }

    private static string Format(GgufValue value)
    {
        if (value.Type != GgufValueType.Array)
            return FormatScalar(value.Value);

        var items = (System.Collections.IList)value.Value;
        var preview = new List<string>();
        for (int i = 0; i < Math.Min(ArrayPreview, items.Count); i++)
            preview.Add(FormatScalar(items[i]!));
        string more = items.Count > ArrayPreview ? ", ..." : "";
        return $"{value.ElementType.ToString().ToLowerInvariant()}[{items.Count}] [{string.Join(", ", preview)}{more}]";
    }

    private static string FormatScalar(object value) => value switch
    {
        string s => Quote(s),
        GgufValue nested => Format(nested),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static string Quote(string s)
    {
        string shown = s.Length > StringPreview ? s[..StringPreview] + "..." : s;
        return "\"" + shown.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n").Replace("\r", "\\r").Replace("\t", "\\t") + "\"";
    }
}
