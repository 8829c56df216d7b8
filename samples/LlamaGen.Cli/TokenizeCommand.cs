using System.CommandLine;
using System.Text;
using LlamaGen.Tokenization;

namespace LlamaGen.Cli;

/// <summary><c>llamagen tokenize</c>: stdin text to token ids, exactly as given (no trimming, no newline handling).</summary>
internal static class TokenizeCommand
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static Command Create(CliContext context)
    {
        var model = new Option<string>("--model", "-m") { Description = "GGUF file whose tokenizer to use", Required = true };
        var noBos = new Option<bool>("--no-bos") { Description = "Do not put BOS first (by default the model's tokenizer.ggml.add_bos_token decides)" };
        var special = new Option<bool>("--special") { Description = "Turn control-token texts such as <s> into their ids" };
        var command = new Command("tokenize", "Read UTF-8 text from stdin and print its token ids separated by spaces") { model, noBos, special };

        command.SetAction(parse =>
        {
            using var file = ModelFiles.Open(parse.GetValue(model)!);
            // Only the tokenizer is read, so a vocabulary-only GGUF (no tensors) works as well as a model.
            var tokenizer = ModelFiles.LoadTokenizer(file, context.Stderr);
            string text = ReadAll(context.Stdin);
            int[] ids = tokenizer.Encode(text, addBos: !parse.GetValue(noBos) && tokenizer.AddBos, parse.GetValue(special));
            context.Stdout.Write(string.Join(' ', ids));
            context.Stdout.Write('\n');
            return 0;
        });
        return command;
    }

    // The raw bytes, decoded strictly: a byte-order mark or a trailing newline is part of the text, and invalid
    // UTF-8 is an error rather than silently replaced.
    private static string ReadAll(Stream stdin)
    {
        using var buffer = new MemoryStream();
        stdin.CopyTo(buffer);
        try
        {
            return StrictUtf8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        }
        catch (DecoderFallbackException e)
        {
            throw new CliException($"stdin is not valid UTF-8: {Program.OneLine(e.Message)}");
        }
    }
}
